//! Reviews and reviewers for the tests.
#![allow(dead_code)]

use palisade_admission::Reviewer;
use palisade_config::{Overrides, resolve};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use serde_json::{Value, json};

/// A reviewer from a configuration text (`None`: no configuration file).
pub fn reviewer(config: Option<&str>) -> Reviewer {
    let dir = tempfile::tempdir().unwrap();
    let overrides = match config {
        Some(text) => {
            let path = dir.path().join("palisade.toml");
            std::fs::write(&path, text).unwrap();
            Overrides {
                config: Some(path),
                ..Overrides::default()
            }
        }
        None => Overrides {
            no_config: true,
            ..Overrides::default()
        },
    };
    Reviewer::new(&resolve(&overrides).unwrap()).unwrap()
}

/// An AdmissionReview of `operation` on `object`.
pub fn review_of(operation: &str, object: &Value) -> Value {
    let kind = object["kind"].as_str().unwrap_or("");
    let api = object["apiVersion"].as_str().unwrap_or("v1");
    let (group, version) = api.split_once('/').unwrap_or(("", api));
    let mut request = json!({
        "uid": "3f2a1c4e-0000-4000-8000-000000000001",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": format!("{}s", kind.to_lowercase())},
        "name": object["metadata"]["name"].as_str().unwrap_or(""),
        "operation": operation,
        "userInfo": {"username": "alice", "groups": ["developers", "system:authenticated"]},
        "object": object,
        "dryRun": false,
    });
    if let Some(ns) = object["metadata"]["namespace"].as_str() {
        request["namespace"] = json!(ns);
    }
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})
}

/// A Deployment that passes every built-in rule with `securityContext` as given.
pub fn deployment(container_security: Value) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop",
            "labels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "automountServiceAccountToken": false,
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001,
                        "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{
                        "name": "web",
                        "image": "registry.example.com/web:1.2.3@sha256:4bcd9f0e3a1c5b7d9e2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b",
                        "imagePullPolicy": "Always",
                        "ports": [{"containerPort": 8080}],
                        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                                      "limits": {"cpu": "500m", "memory": "128Mi"}},
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
                        "livenessProbe": {"httpGet": {"path": "/live", "port": 8080}},
                        "securityContext": container_security,
                    }]
                }
            }
        }
    })
}

/// The hardened container security context.
pub fn hardened() -> Value {
    json!({"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
           "runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}})
}

/// The hardened context made privileged.
pub fn privileged() -> Value {
    let mut s = hardened();
    s["privileged"] = json!(true);
    s["allowPrivilegeEscalation"] = json!(true);
    s
}

/// A certificate authority for the tests.
pub struct Ca {
    pub der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

pub fn ca() -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Ca {
        der: cert.der().to_vec(),
        issuer: Issuer::new(params, key),
    }
}

/// A serving certificate for `localhost` signed by `ca`: (cert PEM, key PEM, cert DER).
pub fn leaf(ca: &Ca) -> (String, String, Vec<u8>) {
    let params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca.issuer).unwrap();
    (cert.pem(), key.serialize_pem(), cert.der().to_vec())
}

/// (reason, field) of every cause of a response's denial.
pub fn causes(response: &Value) -> std::collections::BTreeSet<(String, String)> {
    causes_list(response)
        .iter()
        .map(|c| {
            (
                c["reason"].as_str().unwrap().to_string(),
                c["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The causes of a response's denial, as listed.
pub fn causes_list(response: &Value) -> Vec<Value> {
    (response["status"]["details"]["causes"].as_array())
        .cloned()
        .unwrap_or_default()
}
