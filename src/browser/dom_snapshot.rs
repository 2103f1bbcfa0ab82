//! The DOM as it is now, of every frame: `document.documentElement.outerHTML` of the page
//! and of each frame in it (same-origin or not), with each document's URL — what a failed
//! attempt keeps beside its screenshot.

use serde_json::{json, Value};

use super::{BrowserError, Session};

/// One document of the page: the top one first, then its frames in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomDocument {
    /// The document's URL.
    pub url: String,
    /// Its `documentElement.outerHTML`.
    pub html: String,
}

/// The `(url, backendNodeId of the documentElement)` of every document under `node`.
fn documents(node: &Value, out: &mut Vec<(String, i64)>) {
    let is_document = node["nodeType"].as_i64() == Some(9);
    if is_document {
        let element = node["children"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["nodeType"].as_i64() == Some(1));
        if let Some(id) = element.and_then(|e| e["backendNodeId"].as_i64()) {
            let url = node["documentURL"].as_str().unwrap_or_default().to_string();
            out.push((url, id));
        }
    }
    if let Some(doc) = node.get("contentDocument") {
        documents(doc, out);
    }
    for key in ["children", "shadowRoots"] {
        for child in node[key].as_array().into_iter().flatten() {
            documents(child, out);
        }
    }
}

/// The snapshot as one HTML text: the top document, then each frame's document after a
/// comment that names its URL.
pub fn snapshot_text(documents: &[DomDocument]) -> String {
    let mut out = String::new();
    for (i, d) in documents.iter().enumerate() {
        let url = d.url.replace("--", "%2D%2D");
        if i == 0 {
            out.push_str(&format!("<!-- webrunner DOM snapshot of {url} -->\n"));
        } else {
            out.push_str(&format!("\n<!-- frame {i}: {url} -->\n"));
        }
        out.push_str(&d.html);
        out.push('\n');
    }
    out
}

impl Session {
    /// Every document of the page with its HTML, the top one first; see the module
    /// documentation.
    pub async fn dom_snapshot(&self) -> Result<Vec<DomDocument>, BrowserError> {
        let tree = self
            .cdp("DOM.getDocument", json!({ "depth": -1, "pierce": true }))
            .await?;
        let mut found = Vec::new();
        documents(&tree["root"], &mut found);
        let mut out = Vec::with_capacity(found.len());
        for (url, id) in found {
            // A frame may go away between the two calls; the rest is still worth having.
            if let Ok(v) = self
                .cdp("DOM.getOuterHTML", json!({ "backendNodeId": id }))
                .await
            {
                let html = v["outerHTML"].as_str().unwrap_or_default().to_string();
                out.push(DomDocument { url, html });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_found_in_frames_and_shadow_roots_in_order() {
        let tree = json!({
            "nodeType": 9, "documentURL": "http://a/",
            "children": [{"nodeType": 1, "backendNodeId": 1, "children": [
                {"nodeType": 1, "backendNodeId": 2, "contentDocument": {
                    "nodeType": 9, "documentURL": "http://b/",
                    "children": [{"nodeType": 10}, {"nodeType": 1, "backendNodeId": 3}]}},
                {"nodeType": 1, "backendNodeId": 4, "shadowRoots": [{"nodeType": 11, "children": [
                    {"nodeType": 1, "contentDocument": {"nodeType": 9, "documentURL": "http://c/",
                        "children": [{"nodeType": 1, "backendNodeId": 5}]}}]}]}
            ]}]
        });
        let mut out = Vec::new();
        documents(&tree, &mut out);
        assert_eq!(
            out,
            vec![
                ("http://a/".to_string(), 1),
                ("http://b/".to_string(), 3),
                ("http://c/".to_string(), 5)
            ]
        );
    }

    #[test]
    fn the_text_names_each_frame_and_cannot_close_its_comment_early() {
        let text = snapshot_text(&[
            DomDocument {
                url: "http://a/".into(),
                html: "<html>A</html>".into(),
            },
            DomDocument {
                url: "http://b/?x=-->".into(),
                html: "<html>B</html>".into(),
            },
        ]);
        assert!(text.starts_with("<!-- webrunner DOM snapshot of http://a/ -->\n<html>A</html>"));
        assert!(text.contains("<!-- frame 1: http://b/?x=%2D%2D> -->\n<html>B</html>"));
    }
}
