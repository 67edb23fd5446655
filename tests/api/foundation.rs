//! The foundation: health, accounts, sign-in, tokens, roles, error discipline, OpenAPI, CLI.

use carried::services::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{spawn_app_with, Backend, TestApp, PASSWORD};

both_backends!(health_answers_ok, |app: TestApp| async move {
    let r = app.health(None).await;
    assert_eq!(r.expect(200), json!({"status": "ok"}));
});

both_backends!(login_succeeds_and_fails_cleanly, |app: TestApp| async move {
    app.seed_user("chair@example.org", &[Role::Chair]).await;
    let ok = app.sign_in(json!({"email": "Chair@Example.org", "password": PASSWORD}), None).await;
    let body = ok.expect(200);
    assert!(body["token"].as_str().is_some_and(|t| t.split('.').count() == 3));
    assert_eq!(body["user"]["roles"], json!(["chair"]));
    assert!(body["expires_at"].as_str().is_some_and(|s| s.ends_with('Z')));

    let wrong = app.sign_in(json!({"email": "chair@example.org", "password": "not the password"}), None).await;
    wrong.expect_problem(401, "invalid_credentials");
    let unknown = app.sign_in(json!({"email": "nobody@example.org", "password": PASSWORD}), None).await;
    unknown.expect_problem(401, "invalid_credentials");
    assert_eq!(wrong.body["detail"], unknown.body["detail"], "no hint whether the account exists");
});

both_backends!(tokens_are_checked, |app: TestApp| async move {
    let (_, token) = app.user_with("rep@example.org", &[Role::Representative]).await;
    app.me(Some(&token)).await.expect(200);
    app.me(None).await.expect_problem(401, "unauthenticated");
    app.me(Some("not-a-token")).await.expect_problem(401, "invalid_token");

    // Tampered payload: another user id, original signature.
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: serde_json::Value = serde_json::from_slice(&b64.decode(parts[1]).expect("b64")).expect("json");
    claims["sub"] = json!("1");
    let forged = format!("{}.{}.{}", parts[0], b64.encode(claims.to_string()), parts[2]);
    app.me(Some(&forged)).await.expect_problem(401, "invalid_token");

    // alg none, with the same claims and no signature.
    let none_header = b64.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    app.me(Some(&unsigned)).await.expect_problem(401, "invalid_token");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_wrong_key_tokens_with_a_known_secret() {
    let secret = "a-test-secret-of-at-least-thirty-two-bytes!";
    let app = spawn_app_with(Backend::Sqlite, &[("CARRIED_JWT_SECRET", secret)]).await.expect("app");
    let (id, token) = app.user_with("rep@example.org", &[Role::Representative]).await;
    let header: serde_json::Value = {
        use base64::Engine;
        let h = token.split('.').next().expect("header");
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).expect("b64")).expect("json")
    };
    let kid = header["kid"].as_str().expect("kid").to_string();
    let make = |key: &[u8], exp: i64| {
        let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        h.kid = Some(kid.clone());
        let now = chrono::Utc::now().timestamp();
        let claims = json!({"sub": id.to_string(), "iss": "carried", "aud": "carried-api", "iat": now, "nbf": now,
            "auth_time": now, "sgen": 0, "exp": exp});
        jsonwebtoken::encode(&h, &claims, &jsonwebtoken::EncodingKey::from_secret(key)).expect("encode")
    };
    let now = chrono::Utc::now().timestamp();
    app.me(Some(&make(secret.as_bytes(), now + 600))).await.expect(200);
    app.me(Some(&make(secret.as_bytes(), now - 3600))).await.expect_problem(401, "token_expired");
    app.me(Some(&make(b"some-other-key-entirely-32-bytes!!", now + 600))).await.expect_problem(401, "invalid_token");
}

both_backends!(roles_guard_user_management, |app: TestApp| async move {
    let admin = app.admin().await;
    let (_, rep) = app.user_with("rep@example.org", &[Role::Representative]).await;
    let body = json!({"email": "x@example.org", "name": "X", "password": "long enough pw 123", "roles": ["admin"]});
    app.create_user(body.clone(), Some(&rep)).await.expect_problem(403, "forbidden");
    app.create_user(body.clone(), None).await.expect_problem(401, "unauthenticated");
    let created = app.create_user(body.clone(), Some(&admin)).await.expect(201);
    assert_eq!(created["email"], "x@example.org");
    assert_eq!(created["roles"], json!(["admin"]));
    app.create_user(body, Some(&admin)).await.expect_problem(409, "conflict");
    let users = app.list_users(Some(&admin)).await.expect(200);
    assert_eq!(users.as_array().map(Vec::len), Some(3));
});

both_backends!(disabled_users_tokens_stop_working, |app: TestApp| async move {
    let admin = app.admin().await;
    let (id, rep) = app.user_with("rep@example.org", &[Role::Representative]).await;
    app.me(Some(&rep)).await.expect(200);
    app.delete_user(id, Some(&admin)).await.expect(204);
    app.me(Some(&rep)).await.expect_problem(401, "invalid_token");
    app.sign_in(json!({"email": "rep@example.org", "password": PASSWORD}), None)
        .await
        .expect_problem(401, "invalid_credentials");
});

both_backends!(bad_bodies_get_named_4xx_and_write_nothing, |app: TestApp| async move {
    let admin = app.admin().await;
    let path = "/api/v1/users";
    let r = app.post(path, json!({"email": "a@example.org", "name": "A", "password": "long enough pw 123", "roles": ["chair"], "shoe_size": 9}), Some(&admin)).await;
    r.expect_problem(400, "invalid_json");
    assert!(r.body["detail"].as_str().unwrap_or("").contains("unknown field `shoe_size`"), "{}", r.text);

    let r = app
        .post(
            path,
            json!({"email": "a@example.org", "name": 7, "password": "long enough pw 123", "roles": ["chair"]}),
            Some(&admin),
        )
        .await;
    r.expect_problem(400, "invalid_json");
    assert!(r.body["detail"].as_str().unwrap_or("").contains("invalid type"), "{}", r.text);

    let r = app
        .post(
            path,
            json!({"email": "a@example.org", "name": "A", "password": "long enough pw 123", "roles": ["emperor"]}),
            Some(&admin),
        )
        .await;
    r.expect_problem(400, "invalid_json");

    let r = app
        .post(
            path,
            json!({"email": "not an email", "name": "A", "password": "long enough pw 123", "roles": ["chair"]}),
            Some(&admin),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert!(r.body["detail"].as_str().unwrap_or("").starts_with("email"), "{}", r.text);

    let r = app
        .post(
            path,
            json!({"email": "a@example.org", "name": "A", "password": "short", "roles": ["chair"]}),
            Some(&admin),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    let r = app.post(path, json!({"email": "a@example.org", "name": "A\r\nBcc: all@example.org", "password": "long enough pw 123", "roles": ["chair"]}), Some(&admin)).await;
    r.expect_problem(422, "validation_failed");

    let big = "x".repeat(carried::http::JSON_LIMIT + 10);
    let r = app
        .post(path, json!({"email": "a@example.org", "name": big, "password": "p", "roles": []}), Some(&admin))
        .await;
    r.expect_problem(413, "payload_too_large");

    let r = app.post_raw(path, "application/json", b"{\"email\": \"\xff\xfe\"}".to_vec(), Some(&admin)).await;
    r.expect_problem(400, "invalid_json");
    let r = app.post_raw(path, "application/json", b"{\"email\": ".to_vec(), Some(&admin)).await;
    r.expect_problem(400, "invalid_json");
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let r = app.post_raw(path, "application/json", nested.into_bytes(), Some(&admin)).await;
    r.expect_problem(400, "invalid_json");
    let r = app.post_raw(path, "text/plain", b"email=a".to_vec(), Some(&admin)).await;
    r.expect_problem(415, "unsupported_media_type");

    let users = app.list_users(Some(&admin)).await.expect(200);
    assert_eq!(users.as_array().map(Vec::len), Some(1), "nothing was written: {users}");
});

both_backends!(unknown_paths_are_problems_and_headers_are_set, |app: TestApp| async move {
    let r = app.get("/api/v1/nope", None).await;
    r.expect_problem(404, "not_found");
    let h = &r.headers;
    assert_eq!(h.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    assert!(h
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("frame-ancestors 'none'")));
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_are_slowed_per_account() {
    let app = spawn_app_with(Backend::Sqlite, &[("CARRIED_LOGIN_FREE_FAILURES", "3")]).await.expect("app");
    app.seed_user("chair@example.org", &[Role::Chair]).await;
    for _ in 0..4 {
        app.sign_in(json!({"email": "chair@example.org", "password": "guess guess guess"}), None)
            .await
            .expect_problem(401, "invalid_credentials");
    }
    // After the free failures, the next attempt (right or wrong) must wait.
    let r = app.sign_in(json!({"email": "chair@example.org", "password": PASSWORD}), None).await;
    r.expect_problem(429, "rate_limited");
    assert!(r.headers.get("retry-after").is_some());
    // Another account from the same address is not slowed.
    app.seed_user("rep@example.org", &[Role::Representative]).await;
    app.login("rep@example.org").await;
}

both_backends!(openapi_describes_every_operation, |app: TestApp| async move {
    let doc = app.openapi_document(None).await.expect(200);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    for (path, ops) in paths {
        for (method, op) in ops.as_object().expect("operations") {
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} documents its responses"
            );
            // Every documented operation is really served: a call never gets the router's "no such page".
            let concrete = path.replace("{id}", "999999").replace("{label}", "i");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let r = app.request(m, &concrete, None, None).await;
            let detail = r.body["detail"].as_str().unwrap_or("");
            assert!(!detail.starts_with("no such page or operation"), "{method} {path} is documented but not served");
        }
    }
    for p in ["/api/v1/auth/login", "/api/v1/users", "/health"] {
        assert!(paths.contains_key(p), "{p} missing from the OpenAPI document");
    }
});

both_backends!(cli_adds_a_user_who_can_sign_in, |app: TestApp| async move {
    let out = app.cli(
        &[
            "user",
            "add",
            "--email",
            "admin2@example.org",
            "--name",
            "Second Admin",
            "--role",
            "admin",
            "--role",
            "scrutineer",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("admin2@example.org"));
    let token = app.login("admin2@example.org").await;
    let me = app.me(Some(&token)).await.expect(200);
    assert_eq!(me["roles"], json!(["admin", "scrutineer"]));
    let weak = app.cli(
        &["user", "add", "--email", "w@example.org", "--name", "W", "--role", "chair", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12"));
});

#[test]
fn cli_help_lists_the_commands() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carried")).arg("--help").output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "migrate", "user"] {
        assert!(text.contains(cmd), "--help lists {cmd}: {text}");
    }
}

// Regressions from the schemathesis run: times carry their zone; a known path with the wrong method is 405.
both_backends!(times_are_rfc3339_utc_and_wrong_methods_get_405, |app: TestApp| async move {
    let (_, chair) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let c = app.create_conference(json!({"name": "Times"}), Some(&chair)).await.expect(201);
    let t = c["created_at"].as_str().unwrap_or("");
    assert!(chrono::DateTime::parse_from_rfc3339(t).is_ok() && t.ends_with('Z'), "{t}");
    let r = app.get_motion("parse", Some(&chair)).await;
    r.expect_problem(405, "method_not_allowed");
    assert_eq!(r.headers.get("allow").and_then(|v| v.to_str().ok()), Some("POST"));
    let r = app.request(Method::PATCH, "/health", None, None).await;
    r.expect_problem(405, "method_not_allowed");
    assert_eq!(r.headers.get("allow").and_then(|v| v.to_str().ok()), Some("GET"));
});

both_backends!(accounts_without_a_password_get_a_link, |app: TestApp| async move {
    let admin = app.admin().await;
    let u = app
        .create_user(json!({"email": "new@example.org", "name": "New GP", "roles": ["member"]}), Some(&admin))
        .await
        .expect(201);
    let token_in =
        |m: &str| m.split("token=").nth(1).map(|t| t.chars().take_while(|c| c.is_ascii_hexdigit()).collect::<String>());
    let mails = app.mail(1, |m| m.contains("set-password?token=")).await;
    let first = token_in(&mails[0]).expect("token");
    // A new link can be sent; both work until one is used.
    app.password_link(&u["id"], Some(&admin)).await.expect(202);
    let mails = app.mail(2, |m| m.contains("set-password?token=")).await;
    let second = mails.iter().filter_map(|m| token_in(m)).find(|t| *t != first).expect("second token");
    app.set_password(json!({"token": second, "password": "a passphrase of my own"}), None).await.expect(200);
    let r = app.sign_in(json!({"email": "new@example.org", "password": "a passphrase of my own"}), None).await;
    r.expect(200);
    // A chair may re-send links only to representatives.
    let (_, chair) = app.user_with("chair@example.org", &[Role::Chair]).await;
    app.password_link(&u["id"], Some(&chair)).await.expect_problem(403, "forbidden");
});
