use super::*;

fn tokens(ttl: i64) -> TokenService {
    let mut jwt = HashMap::new();
    jwt.insert("k1".to_string(), vec![7u8; 32]);
    TokenService::new(Keys { jwt, current_kid: "k1".into(), code_key: vec![1; 32], signing_key: [2; 32] }, ttl)
}

#[test]
fn roles_round_trip_and_reject_unknown() {
    assert_eq!(roles_from_text(&roles_to_text(&Role::ALL)), Role::ALL.to_vec());
    assert!("president".parse::<Role>().is_err());
    assert_eq!(" Chair ".parse::<Role>(), Ok(Role::Chair));
}

#[test]
fn token_round_trips_and_rejects_tampering() {
    let t = tokens(60);
    let (tok, _) = t.issue(42).expect("issue");
    assert_eq!(t.verify(&tok).expect("valid"), 42);
    let mut parts: Vec<String> = tok.split('.').map(String::from).collect();
    parts[1] = parts[1].replacen('e', "f", 1);
    let tampered = parts.join(".");
    assert_eq!(t.verify(&tampered).map_err(|e| e.code), Err(ErrorCode::InvalidToken));
}

#[test]
fn alg_none_and_unknown_kid_are_rejected() {
    let t = tokens(60);
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
    let claims = b64.encode(format!(
        r#"{{"sub":"1","iss":"carried","aud":"carried-api","iat":0,"exp":{}}}"#,
        Utc::now().timestamp() + 600
    ));
    assert_eq!(t.verify(&format!("{header}.{claims}.")).map_err(|e| e.code), Err(ErrorCode::InvalidToken));
    let header = b64.encode(br#"{"alg":"HS256","typ":"JWT","kid":"k9"}"#);
    assert_eq!(t.verify(&format!("{header}.{claims}.xx")).map_err(|e| e.code), Err(ErrorCode::InvalidToken));
}

#[test]
fn expired_tokens_say_so() {
    let t = tokens(60);
    let claims = Claims {
        sub: "1".into(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: 0,
        nbf: 0,
        exp: Utc::now().timestamp() - 3600,
        auth_time: 0,
        sgen: 0,
    };
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some("k1".into());
    let tok = jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(&[7u8; 32])).expect("encode");
    assert_eq!(t.verify(&tok).map_err(|e| e.code), Err(ErrorCode::TokenExpired));
}

#[test]
fn renewal_never_takes_a_session_past_its_cap() {
    let t = tokens(60).with_session_cap(12);
    let now = Utc::now().timestamp();
    // Signed in 11 h 50 min ago: the renewed token ends at the cap, ten minutes from now.
    let (tok, exp) = t.issue_session(1, 3, now - 12 * 3600 + 600).expect("renewed");
    assert!((exp.timestamp() - (now + 600)).abs() <= 2, "{exp}");
    let (_, claims) = t.verify_claims(&tok).expect("valid");
    assert_eq!(claims.sgen, 3);
    // Signed in 13 h ago: no more renewals.
    let e = t.issue_session(1, 3, now - 13 * 3600).expect_err("capped");
    assert_eq!(e.code, ErrorCode::TokenExpired);
}

#[test]
fn set_password_links_are_bound_to_user_and_generation() {
    let key = [5u8; 32];
    let tok = link_token(&key, 7, 2);
    assert_eq!(tok.len(), 64);
    assert!(tok.chars().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(tok, link_token(&key, 7, 3), "a newer link differs");
    assert_ne!(tok, link_token(&key, 8, 2));
    assert_ne!(tok, link_token(&[6u8; 32], 7, 2), "another key gives another link");
    let keys = tokens(60).keys().clone();
    assert_ne!(keys.link_key(), keys.code_key, "the link key is its own");
}

#[test]
fn weak_hashes_are_upgraded_on_verify() {
    let weak = PasswordPolicy { memory_kib: 1024 };
    let strong = PasswordPolicy { memory_kib: 4096 };
    let h = weak.hash("correct horse battery").expect("hash");
    assert_eq!(strong.verify("wrong password here", &h).expect("verify"), None);
    let upgraded = strong.verify("correct horse battery", &h).expect("verify").expect("matches").expect("rehash");
    assert!(upgraded.contains("m=4096"), "{upgraded}");
    assert_eq!(strong.verify("correct horse battery", &upgraded).expect("verify"), Some(None));
}

#[test]
fn owasp_parameters_are_the_default_policy() {
    let p = PasswordPolicy { memory_kib: crate::config::OWASP_ARGON2_MEMORY_KIB }.params().expect("params");
    assert_eq!((p.m_cost(), p.t_cost(), p.p_cost()), (19_456, 2, 1));
}

#[test]
fn emails_and_names_are_checked() {
    assert_eq!(validate_email(" GP@Example.org ").expect("ok"), "gp@example.org");
    for bad in ["", "no-at", "a@b", "a b@c.org", "a@b.org\r\nBcc: x@y.org", "<a>@b.org"] {
        assert!(validate_email(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        validate_email(" a@localhost ").expect_err("no dot").detail,
        "email: \"a@localhost\" is not an email address: the domain must contain a dot"
    );
    assert_eq!(
        validate_name("Dr A\r\nBcc: evil@x.org", "name").expect_err("line break").detail,
        "name: must not contain control characters or line breaks"
    );
    assert!(validate_name("Dr \u{202e}evil", "name").is_err(), "the roll's rule: no bidirectional overrides");
    assert_eq!(validate_name("  ", "name").expect_err("empty").detail, "name: give 1 to 200 characters");
    assert_eq!(validate_name(" Dr A ", "name").expect("ok"), "Dr A");
}
