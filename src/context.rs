//! What every command needs: the global options, the clock, the configuration
//! (loaded only when a command asks for it) and the database location.

use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::domain::{Incident, key};
use crate::error::{not_found, usage};
use crate::store::{Access, Committed, Location, Options, ReadsExt, Store, Writer};
use crate::time::{self, Lean};
use anyhow::Result;
use chrono::{DateTime, Local, Utc};
use std::cell::OnceCell;

pub struct Ctx {
    pub globals: GlobalArgs,
    /// The time every event of this command is recorded at.
    pub now: DateTime<Utc>,
    config: OnceCell<Config>,
}

impl Ctx {
    pub fn new(globals: GlobalArgs) -> Result<Ctx> {
        Ok(Ctx {
            globals,
            now: clock()?,
            config: OnceCell::new(),
        })
    }

    /// Reads the clock again: a long-running command (`serve`) records
    /// each request at its own time.
    pub fn tick(&mut self) -> Result<()> {
        self.now = clock()?;
        Ok(())
    }

    pub fn json(&self) -> bool {
        self.globals.json
    }

    pub fn config(&self) -> Result<&Config> {
        if let Some(config) = self.config.get() {
            return Ok(config);
        }
        let loaded = self.load_config()?;
        Ok(self.config.get_or_init(|| loaded))
    }

    /// Reads the configuration (`--config`, else the platform's file),
    /// without keeping it: [`Ctx::set_config`] keeps one that a
    /// long-running command has read again.
    pub fn load_config(&self) -> Result<Config> {
        Ok(match &self.globals.config {
            Some(path) => Config::load(path, true)?,
            None => match project_dirs() {
                Some(dirs) => Config::load(&dirs.config_dir().join("config.toml"), false)?,
                None => Config::default(),
            },
        })
    }

    /// The configuration from now on (`serve` on SIGHUP).
    pub fn set_config(&mut self, config: Config) {
        self.config = OnceCell::from(config);
    }

    /// The database: `--db` / `INCIDENT_DB`, else the configuration's
    /// `[database] url`, else the file in the platform data directory.
    pub fn location(&self) -> Result<Location> {
        let location = match &self.globals.db {
            Some(path) if path.as_os_str().is_empty() => {
                return Err(usage(
                    "--db / INCIDENT_DB is empty; give a database file path or a postgres:// URL",
                ));
            }
            Some(path) => Location::parse(path)?,
            None => match self.config()?.database.url.as_deref() {
                Some(url) => Location::parse(std::path::Path::new(url))?,
                None => Location::parse(&project_dirs().map(|dirs| dirs.data_dir().join("incidents.db")).ok_or_else(
                    || usage("cannot find a home directory for the database; pass --db PATH or set INCIDENT_DB"),
                )?)?,
            },
        };
        Ok(location)
    }

    pub fn open(&self, access: Access) -> Result<Store> {
        let location = self.location()?;
        if location.has_password() {
            // Once per process, however often it connects.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                self.warn(
                    "the database URL carries a password, which others can read (in `ps` while a \
                     command given --db runs, in shell history and profiles); put it in PGPASSWORD \
                     or ~/.pgpass instead",
                )
            });
        }
        let database = &self.config()?.database;
        let options = Options {
            access,
            connect_timeout: database.connect_timeout,
            read_timeout: database.read_timeout,
            write_timeout: database.write_timeout,
        };
        Store::open(&location, &options)
    }

    /// Makes one change: opens the database for writing and runs `f` in one
    /// IMMEDIATE transaction as the acting user at `self.now`. Every command
    /// that changes anything goes through here, so whatever must follow a
    /// commit (hooks) happens in one place.
    ///
    /// After the commit, and never inside the transaction, the configured
    /// hooks run for each event appended (unless `--no-hooks`); they can
    /// only warn, never undo or fail the change.
    pub fn write<T>(&self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<(Store, Committed<T>)> {
        // Read before writing: an unknown actor or a broken configuration
        // stops the command before anything is recorded, not after.
        self.actor()?;
        if !self.globals.no_hooks {
            self.config()?;
        }
        let mut store = self.open(Access::Write)?;
        let committed = self.write_to(&mut store, f)?;
        Ok((store, committed))
    }

    /// [`Ctx::write`] on a database already open (a server keeps its
    /// connection): one transaction, then the hooks.
    pub fn write_to<T>(
        &self,
        store: &mut Store,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<Committed<T>> {
        let actor = self.actor()?;
        let hooks = if self.globals.no_hooks {
            &[][..]
        } else {
            &self.config()?.hooks[..]
        };
        let committed = self.commit_to(store, f)?;
        if !hooks.is_empty() {
            let config = self.config()?;
            crate::hooks::after_commit(
                &config.key_prefix,
                config.source.as_deref(),
                store,
                hooks,
                &actor,
                &committed.events,
            )?;
        }
        Ok(committed)
    }

    /// One transaction on a database already open, as the acting user,
    /// and no hooks: for a caller that runs them elsewhere (`serve` runs
    /// them off its request path).
    pub fn commit_to<T>(
        &self,
        store: &mut Store,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<Committed<T>> {
        let actor = self.actor()?;
        // The time is read once the write lock is held: the order in which
        // events are recorded and their times agree however many write.
        store.write(&actor, clock, f)
    }

    /// Who is acting: `--as`, `INCIDENT_USER`, then the login name.
    pub fn actor(&self) -> Result<String> {
        let from_env = || {
            ["USER", "LOGNAME"]
                .iter()
                .find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
        };
        self.globals
            .actor
            .clone()
            .filter(|name| !name.trim().is_empty())
            .or_else(from_env)
            .map(|name| name.trim().to_string())
            .ok_or_else(|| usage("cannot tell who is acting; pass --as NAME or set INCIDENT_USER"))
    }

    pub fn key(&self, id: i64) -> Result<String> {
        Ok(key::format(&self.config()?.key_prefix, id))
    }

    pub fn parse_key(&self, input: &str) -> Result<i64> {
        key::parse(input, &self.config()?.key_prefix).map_err(usage)
    }

    /// The incident, or the error that says how to find the right key.
    pub fn find(&self, store: &Store, id: i64) -> Result<Incident> {
        store.incident(id)?.ok_or_else(|| self.missing(id))
    }

    /// A domain operation's refusal of a change to incident `id`, as the
    /// usage error that explains it (exit 2).
    pub fn refused(&self, id: i64, refusal: crate::domain::ops::Refusal) -> anyhow::Error {
        let prefix = match self.config() {
            Ok(config) => config.key_prefix.as_str(),
            Err(e) => return e,
        };
        let key_of = |n: i64| key::format(prefix, n);
        let names = crate::explain::Names {
            key: &key_of(id),
            key_of: &key_of,
            time: &|t, precision| time::human_to(t, &Local, precision),
        };
        usage(crate::explain::refusal(&refusal, &names))
    }

    pub fn missing(&self, id: i64) -> anyhow::Error {
        match self.key(id) {
            Ok(key) => not_found(format!("no incident {key}; run 'incident list --all'")),
            Err(e) => e,
        }
    }

    /// Parses a time argument; `flag` names it in the error.
    pub fn time(&self, flag: &str, input: &str, lean: Lean) -> Result<DateTime<Utc>> {
        time::parse_time(input, self.now, &Local, lean)
            .map(time::truncate)
            .map_err(|e| usage(format!("{flag}: {e}")))
    }

    /// A time that must not be in the future (`--at`, `--started-at`).
    pub fn past_time(&self, flag: &str, input: &str) -> Result<DateTime<Utc>> {
        time::parse_past(input, self.now, &Local).map_err(|e| match e {
            time::NotPast::Invalid(e) => usage(format!("{flag}: {e}")),
            time::NotPast::Future(t) => usage(format!(
                "{flag} {input} is in the future ({}); give a time that has passed",
                time::human(t, &Local)
            )),
        })
    }

    /// A lower bound in time: a duration back from now (`90d`) or a time
    /// that has passed; a future one would only ever select nothing.
    pub fn since(&self, flag: &str, input: &str) -> Result<DateTime<Utc>> {
        match time::parse_duration(input) {
            Ok(span) => Ok(self.now - span),
            Err(_) => self.past_time(flag, input),
        }
    }

    /// Talk for people, on stderr; `--quiet` silences it.
    pub fn say(&self, message: impl AsRef<str>) {
        if !self.globals.quiet {
            crate::text::to_stderr(message.as_ref());
        }
    }

    pub fn warn(&self, message: impl AsRef<str>) {
        crate::text::to_stderr(&format!("warning: {}", message.as_ref()));
    }
}

/// The time now: `INCIDENT_NOW` replaces the clock (tests, demos and
/// backfills).
pub fn clock() -> Result<DateTime<Utc>> {
    let now = match std::env::var("INCIDENT_NOW") {
        Ok(text) if !text.trim().is_empty() => DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                usage(format!(
                    "INCIDENT_NOW='{text}' is not an RFC 3339 time, e.g. 2026-11-23T08:00:00Z"
                ))
            })?,
        _ => Utc::now(),
    };
    if !time::in_range(now) {
        return Err(usage(format!(
            "INCIDENT_NOW {} is outside the years {}-{} the record holds",
            time::to_rfc3339(now),
            time::YEARS.start(),
            time::YEARS.end()
        )));
    }
    Ok(time::truncate(now))
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "incident")
}
