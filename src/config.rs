//! Settings from the environment (and a `.env` file, read by `main`), with
//! defaults that run on a laptop with nothing set.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// The secret used when `AUTH_SECRET` is unset. Fine on a laptop; refused in production.
pub const DEFAULT_AUTH_SECRET: &str = "tasktalk-development-secret-do-not-use-in-production";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub bind: String,
    pub port: u16,
    pub database_url: String,
    pub database_pool_size: u32,
    /// Where people reach the app; cookies are `Secure` when it is https.
    /// Unset: `http://<bind>:<port>` as actually bound.
    pub public_url: Option<Url>,
    /// More origins trusted for cookie-authenticated writes.
    pub trusted_origins: Vec<String>,
    pub auth_secret: SecretString,
    pub jwt_ttl: Duration,
    /// How JWTs are signed (`JWT_ALGORITHM`): EdDSA keys from the `jwks`
    /// table (the default) or HS256 with `AUTH_SECRET`.
    pub jwt_algorithm: JwtAlgorithm,
    /// How soon a server signs with a key made current by `tasktalk keys
    /// rotate` elsewhere (`JWT_KEY_REFRESH_SECONDS`).
    pub jwt_key_refresh: Duration,
    /// Sign-in and sign-up attempts allowed per client IP per minute; 0 turns the limit off.
    pub auth_rate_limit_per_minute: u32,
    /// Take the client IP from `X-Forwarded-For`/`Forwarded` (only behind a proxy you run).
    pub trust_proxy_headers: bool,
    pub workers: Option<usize>,
    pub log_json: bool,
    /// On SIGTERM/SIGINT, how long running replies may take to finish
    /// before they are stopped and stored as failed (`SHUTDOWN_GRACE_SECONDS`).
    pub shutdown_grace: Duration,
    /// How long a client may leave its answer unread, taking no byte of it,
    /// before its connection is closed (`SEND_TIMEOUT_SECONDS`).
    pub send_timeout: Duration,
    pub ai: AiSettings,
    pub metrics: MetricsSettings,
}

/// Where `GET /metrics` is served, and to whom. Neither set: nowhere.
#[derive(Debug, Clone, Default)]
pub struct MetricsSettings {
    /// `METRICS_TOKEN`: scrapers must send `Authorization: Bearer <token>`.
    /// Alone, it serves `/metrics` on the main address.
    pub token: Option<SecretString>,
    /// `METRICS_BIND`: a second address serving only `/metrics`; the main
    /// address then does not serve it.
    pub bind: Option<SocketAddr>,
}

/// Shorter tokens could be guessed by a scraper-shaped crowd.
const MIN_METRICS_TOKEN_LEN: usize = 16;

impl MetricsSettings {
    fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let token = get("METRICS_TOKEN");
        if token
            .as_ref()
            .is_some_and(|t| t.chars().count() < MIN_METRICS_TOKEN_LEN)
        {
            bail!("METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LEN} characters");
        }
        let bind = get("METRICS_BIND")
            .map(|b| {
                b.trim().parse().with_context(|| {
                    format!(
                        "METRICS_BIND must be an address and port such as 127.0.0.1:9100, not {b:?}"
                    )
                })
            })
            .transpose()?;
        Ok(MetricsSettings {
            token: token.map(SecretString::from),
            bind,
        })
    }

    /// Whether `/metrics` is served anywhere (and so worth recording).
    pub fn enabled(&self) -> bool {
        self.token.is_some() || self.bind.is_some()
    }
}

/// Which AI provider answers, and how patiently.
#[derive(Debug, Clone)]
pub struct AiSettings {
    /// `AI_PROVIDER`; unset picks OpenAI, then Gemini, by which key is set, else offline.
    pub provider: Option<ProviderKind>,
    pub openai: OpenAiSettings,
    pub gemini: GeminiSettings,
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer (the first included).
    pub idle_timeout: Duration,
    /// Longest one answer may take in all, however steadily it streams: a
    /// provider sending empty events forever must not hold a run (and one of
    /// its user's run places) without end.
    pub answer_timeout: Duration,
    /// Retries of a rate-limited or failing call before giving up (or falling back).
    pub max_retries: u32,
    /// A provider asking to wait longer than this is treated as down.
    pub max_retry_wait: Duration,
    /// Model calls per chat turn; tools run between them.
    pub max_steps: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// Ed25519 key pairs; other services verify with the public keys at `/api/auth/jwks`.
    EdDSA,
    /// The shared `AUTH_SECRET`; other services verify with that secret.
    Hs256,
}

impl std::str::FromStr for JwtAlgorithm {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> anyhow::Result<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "EDDSA" => Ok(JwtAlgorithm::EdDSA),
            "HS256" => Ok(JwtAlgorithm::Hs256),
            _ => bail!("JWT_ALGORITHM must be EdDSA or HS256, not {s:?}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    OpenAi,
    Gemini,
    Offline,
}

#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    pub api_key: Option<SecretString>,
    pub model: String,
    pub base_url: String,
    /// True when `OPENAI_BASE_URL` was set: a local server may need no key.
    pub base_url_set: bool,
}

#[derive(Debug, Clone)]
pub struct GeminiSettings {
    pub api_key: Option<SecretString>,
    pub model: String,
    pub base_url: String,
}

pub const DEFAULT_OPENAI_MODEL: &str = "gpt-5.4-mini";
pub const DEFAULT_OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_GEMINI_MODEL: &str = "gemini-3.8-flash";
pub const DEFAULT_GEMINI_BASE_URL: &str = "https://generativelanguage.googleapis.com/v1beta";

impl AiSettings {
    fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let provider = match get("AI_PROVIDER").as_deref().map(str::to_ascii_lowercase) {
            None => None,
            Some(v) if v == "openai" => Some(ProviderKind::OpenAi),
            Some(v) if v == "gemini" => Some(ProviderKind::Gemini),
            Some(v) if v == "offline" || v == "none" => Some(ProviderKind::Offline),
            Some(v) => bail!("AI_PROVIDER must be openai, gemini or offline, not {v:?}"),
        };
        let openai_base = get("OPENAI_BASE_URL");
        let settings = AiSettings {
            provider,
            openai: OpenAiSettings {
                api_key: get("OPENAI_API_KEY").map(SecretString::from),
                model: get("OPENAI_MODEL").unwrap_or_else(|| DEFAULT_OPENAI_MODEL.to_owned()),
                base_url_set: openai_base.is_some(),
                base_url: openai_base.unwrap_or_else(|| DEFAULT_OPENAI_BASE_URL.to_owned()),
            },
            gemini: GeminiSettings {
                api_key: get("GEMINI_API_KEY").map(SecretString::from),
                model: get("GEMINI_MODEL").unwrap_or_else(|| DEFAULT_GEMINI_MODEL.to_owned()),
                base_url: get("GEMINI_BASE_URL")
                    .unwrap_or_else(|| DEFAULT_GEMINI_BASE_URL.to_owned()),
            },
            connect_timeout: Duration::from_secs(parse_or(get, "AI_CONNECT_TIMEOUT_SECONDS", 10)?),
            idle_timeout: Duration::from_secs(parse_or(get, "AI_IDLE_TIMEOUT_SECONDS", 60)?),
            answer_timeout: Duration::from_secs(parse_or(get, "AI_ANSWER_TIMEOUT_SECONDS", 300)?),
            max_retries: parse_or(get, "AI_MAX_RETRIES", 2)?,
            max_retry_wait: Duration::from_secs(parse_or(get, "AI_MAX_RETRY_WAIT_SECONDS", 20)?),
            max_steps: parse_or(get, "AI_MAX_STEPS", 6)?,
        };
        for (name, url) in [
            ("OPENAI_BASE_URL", &settings.openai.base_url),
            ("GEMINI_BASE_URL", &settings.gemini.base_url),
        ] {
            let parsed = Url::parse(url).with_context(|| format!("{name} must be a URL"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                bail!("{name} must be an http:// or https:// URL");
            }
        }
        if settings.max_steps == 0 {
            bail!("AI_MAX_STEPS must be at least 1");
        }
        Ok(settings)
    }

    /// Whether a provider has what it needs to be called.
    pub fn configured(&self, kind: ProviderKind) -> bool {
        match kind {
            ProviderKind::OpenAi => self.openai.api_key.is_some() || self.openai.base_url_set,
            ProviderKind::Gemini => self.gemini.api_key.is_some(),
            ProviderKind::Offline => true,
        }
    }

    /// The provider that answers first, and the one tried when it fails.
    pub fn chain(&self) -> anyhow::Result<(ProviderKind, Option<ProviderKind>)> {
        let primary = match self.provider {
            Some(kind) => {
                if !self.configured(kind) {
                    bail!(match kind {
                        ProviderKind::OpenAi =>
                            "AI_PROVIDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)",
                        _ => "AI_PROVIDER=gemini needs GEMINI_API_KEY",
                    });
                }
                kind
            }
            None if self.openai.api_key.is_some() => ProviderKind::OpenAi,
            None if self.gemini.api_key.is_some() => ProviderKind::Gemini,
            None if self.openai.base_url_set => ProviderKind::OpenAi,
            None => ProviderKind::Offline,
        };
        let fallback = match primary {
            ProviderKind::OpenAi => ProviderKind::Gemini,
            ProviderKind::Gemini => ProviderKind::OpenAi,
            ProviderKind::Offline => return Ok((primary, None)),
        };
        Ok((primary, self.configured(fallback).then_some(fallback)))
    }
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads settings through `get`, so tests can supply their own environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let environment = match get("APP_ENV").as_deref().map(str::to_ascii_lowercase) {
            None => Environment::Development,
            Some(v) if v == "development" || v == "dev" => Environment::Development,
            Some(v) if v == "production" || v == "prod" => Environment::Production,
            Some(v) => bail!("APP_ENV must be development or production, not {v:?}"),
        };
        let auth_secret = get("AUTH_SECRET")
            .or_else(|| get("BETTER_AUTH_SECRET"))
            .unwrap_or_else(|| DEFAULT_AUTH_SECRET.to_owned());
        let public_url = get("PUBLIC_URL")
            .map(|u| {
                Url::parse(&u).context("PUBLIC_URL must be a URL such as https://tasks.example.com")
            })
            .transpose()?;
        let settings = Settings {
            environment,
            bind: get("BIND").unwrap_or_else(|| "127.0.0.1".to_owned()),
            port: parse_or(&get, "PORT", 8080)?,
            database_url: get("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/tasktalk.db".to_owned()),
            database_pool_size: parse_or(&get, "DATABASE_POOL_SIZE", 10)?,
            public_url,
            trusted_origins: get("TRUSTED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            auth_secret: SecretString::from(auth_secret),
            jwt_ttl: Duration::from_secs(parse_or(&get, "JWT_TTL_SECONDS", 15 * 60)?),
            jwt_algorithm: get("JWT_ALGORITHM")
                .map(|a| a.parse())
                .transpose()?
                .unwrap_or(JwtAlgorithm::EdDSA),
            jwt_key_refresh: Duration::from_secs(parse_or(&get, "JWT_KEY_REFRESH_SECONDS", 60)?),
            auth_rate_limit_per_minute: parse_or(&get, "AUTH_RATE_LIMIT_PER_MINUTE", 10)?,
            trust_proxy_headers: parse_or(&get, "TRUST_PROXY_HEADERS", false)?,
            workers: get("WORKERS")
                .map(|w| w.parse().context("WORKERS must be a number"))
                .transpose()?,
            log_json: get("LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")),
            shutdown_grace: Duration::from_secs(parse_or(&get, "SHUTDOWN_GRACE_SECONDS", 20)?),
            send_timeout: Duration::from_secs(parse_or(
                &get,
                "SEND_TIMEOUT_SECONDS",
                crate::startup::SEND_PATIENCE.as_secs(),
            )?),
            ai: AiSettings::from_lookup(&get)?,
            metrics: MetricsSettings::from_lookup(&get)?,
        };
        settings.check()?;
        Ok(settings)
    }

    /// Refuses settings that would be unsafe to serve with.
    pub fn check(&self) -> anyhow::Result<()> {
        self.ai.chain()?;
        if self.database_pool_size == 0 {
            bail!("DATABASE_POOL_SIZE must be at least 1");
        }
        if self.send_timeout.is_zero() {
            bail!("SEND_TIMEOUT_SECONDS must be at least 1");
        }
        if self.environment == Environment::Production {
            let secret = self.auth_secret.expose_secret();
            if secret == DEFAULT_AUTH_SECRET {
                bail!(
                    "APP_ENV=production needs AUTH_SECRET (or BETTER_AUTH_SECRET): the default secret is public"
                );
            }
            if secret.len() < 32 {
                bail!("AUTH_SECRET must be at least 32 characters in production");
            }
        }
        Ok(())
    }
}

fn parse_or<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: T,
) -> anyhow::Result<T> {
    match get(key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{key} has an invalid value {v:?}")),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| vars.get(k).cloned())
    }

    #[test]
    fn nothing_set_gives_a_working_development_setup() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.environment, Environment::Development);
        assert_eq!((s.bind.as_str(), s.port), ("127.0.0.1", 8080));
        assert_eq!(s.database_url, "sqlite://data/tasktalk.db");
    }

    #[test]
    fn production_refuses_the_default_secret() {
        let err = settings(&[("APP_ENV", "production")]).unwrap_err();
        assert!(err.to_string().contains("AUTH_SECRET"));
        let short = settings(&[("APP_ENV", "production"), ("AUTH_SECRET", "short")]);
        assert!(short.is_err());
        let ok = settings(&[
            ("APP_ENV", "production"),
            ("BETTER_AUTH_SECRET", &"x".repeat(40)),
        ]);
        assert!(ok.is_ok());
    }

    #[test]
    fn secrets_never_print() {
        let s = settings(&[("AUTH_SECRET", "super-secret-value-123")]).unwrap();
        assert!(!format!("{s:?}").contains("super-secret-value-123"));
    }

    #[test]
    fn the_assistant_is_offline_without_keys_and_falls_back_when_both_are_set() {
        use ProviderKind::*;
        assert_eq!(settings(&[]).unwrap().ai.chain().unwrap(), (Offline, None));
        let gemini = settings(&[("GEMINI_API_KEY", "g")]).unwrap();
        assert_eq!(gemini.ai.chain().unwrap(), (Gemini, None));
        let both = settings(&[("GEMINI_API_KEY", "g"), ("OPENAI_API_KEY", "o")]).unwrap();
        assert_eq!(both.ai.chain().unwrap(), (OpenAi, Some(Gemini)));
        let pick = settings(&[
            ("AI_PROVIDER", "gemini"),
            ("GEMINI_API_KEY", "g"),
            ("OPENAI_API_KEY", "o"),
        ]);
        assert_eq!(pick.unwrap().ai.chain().unwrap(), (Gemini, Some(OpenAi)));
        assert!(settings(&[("AI_PROVIDER", "gemini")]).is_err());
        assert!(settings(&[("AI_PROVIDER", "claude")]).is_err());
        let local = settings(&[("OPENAI_BASE_URL", "http://localhost:11434/v1")]).unwrap();
        assert_eq!(local.ai.chain().unwrap(), (OpenAi, None));
    }

    #[test]
    fn api_keys_never_print() {
        let s = settings(&[
            ("OPENAI_API_KEY", "sk-live-123456"),
            ("GEMINI_API_KEY", "AIza-987"),
        ])
        .unwrap();
        let printed = format!("{s:?}");
        assert!(!printed.contains("sk-live-123456") && !printed.contains("AIza-987"));
    }

    #[test]
    fn metrics_are_off_unless_a_token_or_an_address_is_set() {
        assert!(!settings(&[]).unwrap().metrics.enabled());
        let token = settings(&[("METRICS_TOKEN", "a-token-long-enough")]).unwrap();
        assert!(token.metrics.enabled() && token.metrics.bind.is_none());
        let bind = settings(&[("METRICS_BIND", "127.0.0.1:9100")]).unwrap();
        assert_eq!(bind.metrics.bind, Some(([127, 0, 0, 1], 9100).into()));
        assert!(settings(&[("METRICS_TOKEN", "short")]).is_err());
        let err = settings(&[("METRICS_BIND", "9100")]).unwrap_err();
        assert!(err.to_string().contains("METRICS_BIND"));
        let secret = settings(&[("METRICS_TOKEN", "metrics-secret-value")]).unwrap();
        assert!(!format!("{secret:?}").contains("metrics-secret-value"));
    }

    #[test]
    fn tokens_are_signed_with_eddsa_unless_hs256_is_asked_for() {
        assert_eq!(settings(&[]).unwrap().jwt_algorithm, JwtAlgorithm::EdDSA);
        let hs = settings(&[("JWT_ALGORITHM", "hs256")]).unwrap();
        assert_eq!(hs.jwt_algorithm, JwtAlgorithm::Hs256);
        let err = settings(&[("JWT_ALGORITHM", "RS256")]).unwrap_err();
        assert!(err.to_string().contains("JWT_ALGORITHM"));
    }

    #[test]
    fn bad_numbers_are_reported_with_their_name() {
        let err = settings(&[("PORT", "eighty")]).unwrap_err();
        assert!(err.to_string().contains("PORT"));
    }
}
