# Sourced by the scripts that install tools (lint-tools.sh, kafka.sh): where installs are
# kept. In the user's cache directory, outside the checkout, so that every clone shares
# one Kafka and one set of checkers and a fresh clone installs nothing again. What a
# clone runs (the broker's data, the demo's logs) stays in that clone's .cache/.
TRACKSIDE_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/trackside"
