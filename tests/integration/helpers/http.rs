//! The HTTP API from the test's side: a GET answered in JSON, and the `/api/channels`
//! answers tests wait for and read.

use serde_json::Value;

use super::{TestApp, eventually};

/// The JSON answer to a GET of `url`.
pub async fn get_json(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// `/api/channels?topic=T` once its first channel has counted `n` records.
pub async fn channels_counted(app: &TestApp, topic: &str, n: u64) -> Value {
    eventually(&format!("{n} records counted"), || async {
        let v = app.get_json(&format!("/api/channels?topic={topic}")).await;
        (v["channels"][0]["records"] == n).then_some(v)
    })
    .await
}

/// One channel's row in an `/api/channels` answer.
pub fn channel_row(api: &Value, name: &str) -> Value {
    api["channels"].as_array().unwrap().iter().find(|c| c["name"] == name).cloned().unwrap()
}
