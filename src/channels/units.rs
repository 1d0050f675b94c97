//! Channel units: the v1 fields', those of the channels the bridge sends, and the
//! contract's suffix convention (`_c` is °C, `_kph` km/h, …) for any other name.

/// The unit a name's suffix gives it, by the contract's convention.
pub fn suffix_unit(name: &str) -> Option<&'static str> {
    const SUFFIXES: &[(&str, &str)] = &[
        ("_c", "°C"),
        ("_kph", "km/h"),
        ("_psi", "psi"),
        ("_bar", "bar"),
        ("_kg", "kg"),
        ("_m", "m"),
        ("_j", "J"),
        ("_pct", "%"),
        ("_g", "g"),
        ("_w", "W"),
        ("_nm", "N·m"),
    ];
    SUFFIXES.iter().find(|(suffix, _)| name.ends_with(suffix)).map(|&(_, unit)| unit)
}

/// Every channel the bridge sends and its unit; `.*` stands for the four corners
/// `.fl`, `.fr`, `.rl`, `.rr`. Dimensionless channels say what their numbers count:
/// `ratio` (0 to 1, or -1 to 1 for `steer`, left negative), `on/off` (0 or 1),
/// `place` (1 is leading), `laps`, `gear` (-1 reverse, 0 neutral).
pub const UNITS: &[(&str, &str)] = &[
    // Contract v1, from every game.
    ("speed_kph", "km/h"),
    ("rpm", "rpm"),
    ("tire_temp_c.*", "°C"),
    ("lap", "laps"),
    ("gear", "gear"),
    ("throttle", "ratio"),
    ("brake", "ratio"),
    ("x", "m"),
    ("y", "m"),
    ("lap_distance_m", "m"),
    // F1.
    ("brake_temp_c.*", "°C"),
    ("tire_inner_temp_c.*", "°C"),
    ("tire_pressure_psi.*", "psi"),
    ("engine_temp_c", "°C"),
    ("steer", "ratio"),
    ("clutch", "ratio"),
    ("drs", "on/off"),
    ("g_lat", "g"),
    ("g_long", "g"),
    ("g_vert", "g"),
    ("position", "place"),
    ("fuel_kg", "kg"),
    ("fuel_laps", "laps"),
    ("ers_store_j", "J"),
    ("tire_wear_pct.*", "%"),
    ("tire_age_laps", "laps"),
    // Forza (and g_lat, g_long above).
    ("boost", "psi"),
    ("fuel", "ratio"),
    ("suspension_travel_m.*", "m"),
    ("suspension_norm.*", "ratio"),
    ("tire_slip_ratio.*", "ratio"),
    ("power_w", "W"),
    ("torque_nm", "N·m"),
    ("race_position", "place"),
    ("tire_wear.*", "ratio"),
    // OutGauge (and engine_temp_c, fuel above).
    ("turbo_bar", "bar"),
    ("oil_pressure_bar", "bar"),
    ("oil_temp_c", "°C"),
];

/// The unit of a channel the bridge sends, by its dotted name (`brake_temp_c.fl`).
pub fn unit(name: &str) -> Option<&'static str> {
    let corner_of = name.rsplit_once('.').and_then(|(group, c)| ["fl", "fr", "rl", "rr"].contains(&c).then_some(group));
    UNITS
        .iter()
        .find(|(n, _)| match corner_of {
            Some(group) => n.strip_suffix(".*") == Some(group),
            None => *n == name,
        })
        .map(|&(_, unit)| unit)
}

/// The unit of any channel: the table's (v1 fields and the bridge's channels), else
/// the suffix convention of its name or of the group it is in (`brake_temp_c.fl`,
/// `tire_wear_pct.0`), else none.
pub fn unit_of(name: &str) -> Option<&'static str> {
    unit(name).or_else(|| by_suffix(name))
}

/// The suffix convention, tried on the name and then on each group it is in.
pub fn by_suffix(name: &str) -> Option<&'static str> {
    let mut at = name;
    loop {
        if let Some(u) = suffix_unit(at) {
            return Some(u);
        }
        at = at.rsplit_once('.')?.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corner_channels_take_the_unit_of_their_group() {
        assert_eq!(unit("brake_temp_c.fl"), Some("°C"));
        assert_eq!(unit("tire_wear.rr"), Some("ratio"));
        assert_eq!(unit("brake_temp_c"), None, "a group is not a channel");
        assert_eq!(unit("brake_temp_c.xx"), None);
        assert_eq!(unit("g_lat"), Some("g"));
        assert_eq!(unit("nothing"), None);
    }

    #[test]
    fn every_name_with_a_unit_suffix_has_that_unit_in_the_table() {
        for (name, unit) in UNITS {
            if let Some(by_suffix) = suffix_unit(name.trim_end_matches(".*")) {
                assert_eq!(by_suffix, *unit, "{name}");
            }
        }
        assert_eq!(suffix_unit("torque_nm"), Some("N·m"));
        assert_eq!(suffix_unit("boost"), None);
    }

    #[test]
    fn any_channel_takes_the_table_s_unit_else_its_suffix_s_or_its_group_s_else_none() {
        assert_eq!(unit_of("speed_kph"), Some("km/h"));
        assert_eq!(unit_of("throttle"), Some("ratio"), "the table before the suffix");
        assert_eq!(unit_of("front_wing_c"), Some("°C"));
        assert_eq!(unit_of("hub_temp_c.fl"), Some("°C"));
        assert_eq!(unit_of("tire_wear_pct.0"), Some("%"));
        assert_eq!(unit_of("damper_m.front.left"), Some("m"));
        assert_eq!(unit_of("g.lat"), None, "`g` is a group, not the `_g` suffix");
        assert_eq!(unit_of("lat_g"), Some("g"));
        assert_eq!(unit_of("steering_angle"), None);
    }
}
