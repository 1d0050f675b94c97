//! The binary as a user installs it (`cargo install`, or copied to a server): started
//! from a directory with nothing of the repository in it, it still serves the whole page.

use std::collections::BTreeSet;

use crate::helpers::*;

#[tokio::test]
async fn the_binary_started_from_an_empty_directory_serves_the_page_every_module_it_imports_and_uplot() {
    // Arrange: an empty working directory, so nothing can be found relative to it.
    let dir = std::env::temp_dir().join(unique("trackside-elsewhere"));
    std::fs::create_dir(&dir).unwrap();
    let (brokers, group) = (brokers(), unique("g"));
    let server = ServeProcess::start_in(&dir, &["--brokers", &brokers, "--group-id", &group]);

    // Act: fetch the page, then everything it loads, then every module those import.
    let page = fetch(&server.url, "/").await;
    assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
    let mut wanted: Vec<String> = referenced_by_page(&page.body);
    let mut served = BTreeSet::new();
    while let Some(path) = wanted.pop() {
        if !served.insert(path.clone()) {
            continue;
        }
        let file = fetch(&server.url, &path).await;
        // Assert: each answers 200 (fetch checks) with the type a browser needs.
        let expected = match path.rsplit('.').next() {
            Some("js") => "text/javascript",
            Some("css") => "text/css",
            Some("svg") => "image/svg+xml",
            other => panic!("{path}: unexpected kind of file {other:?}"),
        };
        assert_eq!(file.content_type, expected, "{path}");
        if path.starts_with("/static/") && path.ends_with(".js") {
            wanted.extend(imports(&path, &file.body));
        }
    }

    for needed in
        ["/static/app.js", "/static/style.css", "/vendor/uplot/uPlot.iife.min.js", "/vendor/uplot/uPlot.min.css"]
    {
        assert!(served.contains(needed), "the page does not load {needed}: {served:?}");
    }
    let modules = served.iter().filter(|p| p.starts_with("/static/") && p.ends_with(".js")).count();
    assert!(modules > 10, "app.js and the modules it imports: {served:?}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "the server wrote nothing where it was started");
    drop(server);
    std::fs::remove_dir(&dir).unwrap();
}

#[tokio::test]
async fn static_dir_serves_the_page_files_from_disk_for_development() {
    let dir = std::env::temp_dir().join(unique("trackside-static"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("app.js"), "// edited, not rebuilt\n").unwrap();
    std::fs::create_dir(dir.join("core")).unwrap();
    std::fs::write(dir.join("core").join("state.js"), "// in a folder\n").unwrap();
    let app = TestApp::spawn(&["--group-id", &unique("g"), "--static-dir", dir.to_str().unwrap()]).await;

    let edited = reqwest::get(app.url("/static/app.js")).await.unwrap();
    assert_eq!(edited.status(), 200);
    assert_eq!(edited.text().await.unwrap(), "// edited, not rebuilt\n");
    let nested = reqwest::get(app.url("/static/core/state.js")).await.unwrap();
    assert_eq!(nested.status(), 200, "a module in a folder is served from its folder");
    assert_eq!(nested.text().await.unwrap(), "// in a folder\n");
    let not_on_disk = reqwest::get(app.url("/static/style.css")).await.unwrap();
    assert_eq!(not_on_disk.status(), 404, "the directory replaces the built-in files, it does not add to them");
    let uplot = reqwest::get(app.url("/vendor/uplot/uPlot.iife.min.js")).await.unwrap();
    assert_eq!(uplot.status(), 200, "uPlot is still the built-in one");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn version_names_the_version_and_the_commit() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trackside")).arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = format!("trackside {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(text.starts_with(&expected), "{text}");
    // The tests run from a git checkout, so the commit is known: hex, as `git` abbreviates it.
    let commit = text[expected.len()..].split([')', ';']).next().unwrap();
    assert!(commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit()), "{text}");
}

struct Fetched {
    content_type: String,
    body: String,
}

async fn fetch(base: &str, path: &str) -> Fetched {
    let response = reqwest::get(format!("{base}{path}")).await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    Fetched { content_type, body: response.text().await.unwrap() }
}

/// The same-origin scripts, stylesheets and icons the page's HTML names.
fn referenced_by_page(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attr) {
            let rest = &html[at + attr.len()..];
            let url = &rest[..rest.find('"').unwrap()];
            if url.starts_with("/static/") || url.starts_with("/vendor/") {
                found.push(url.to_owned());
            }
        }
    }
    found
}

/// The modules `source` (served at `path`) imports statically, as absolute paths.
fn imports(path: &str, source: &str) -> Vec<String> {
    let dir = &path[..=path.rfind('/').unwrap()];
    source
        .lines()
        .map(str::trim_start)
        // `} from` ends an import whose names span several lines.
        .filter(|l| {
            l.starts_with("import ") || (l.starts_with("export ") || l.starts_with("} from ")) && l.contains(" from ")
        })
        .filter_map(|l| {
            let quote = l.rfind(['\'', '"'])?;
            let open = l[..quote].rfind(['\'', '"'])?;
            Some(&l[open + 1..quote])
        })
        .map(|spec| resolve(dir, spec))
        .collect()
}

/// `spec` (`./x.js`, `../core/x.js` or `/static/x.js`) as an absolute path, from the folder `dir`
/// (ending in `/`) of the module that imports it.
fn resolve(dir: &str, spec: &str) -> String {
    if spec.starts_with('/') {
        return spec.to_owned();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in spec.split('/') {
        match part {
            "." => {}
            ".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    format!("/{}", parts.join("/"))
}

#[test]
fn imports_are_found_in_both_forms_and_made_absolute() {
    let source = "import { a } from './a.js';\nimport * as b from \"./b.js\";\nimport './c.js';\n\
                  /** @param {import('./d.js').T} t */\nexport { e } from './e.js';\nconst f = 1;\n\
                  import {\n  g,\n  h,\n} from './gh.js';\n";
    let found = imports("/static/app.js", source);
    assert_eq!(found, ["/static/a.js", "/static/b.js", "/static/c.js", "/static/e.js", "/static/gh.js"]);
}

#[test]
fn imports_from_a_folder_reach_their_own_folder_and_the_ones_beside_it() {
    let source = "import { a } from './a.js';\nimport { b } from '../core/b.js';\nimport { c } from './net/c.js';\n";
    let found = imports("/static/race/race.js", source);
    assert_eq!(found, ["/static/race/a.js", "/static/core/b.js", "/static/race/net/c.js"]);
}
