//! A blocking connection over tokio-postgres, as the `postgres` crate
//! gives one, plus what that crate cannot do: run several statements in
//! one round trip ([`Client::pipeline`]). `show` reads nine things about
//! an incident; sent one by one they cost a round trip each, which is a
//! large part of a short command on a fresh connection (BENCHMARKS.md).
//!
//! The connection is driven only while a call blocks, on a runtime of this
//! thread, so no thread is started; notices are dropped, notifications
//! kept for [`Client::wait_for_notification`]. Once the connection has
//! ended (the server closed it, or it broke) every call fails at once, and
//! [`Error::is_lost`] says so: a long-running command connects again.
//!
//! Every call has a deadline ([`Client::set_deadline`]): a server that
//! takes a statement and then says nothing (frozen, or behind a proxy that
//! went silent, which TCP keepalives do not see while the kernel still
//! answers) fails the call with [`Error::TimedOut`], and the connection is
//! given up (its socket closed, so the server rolls back what was not
//! committed).

use futures_util::{Stream, TryStreamExt, future};
use std::collections::HashMap;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio_postgres::error::{DbError, SqlState};
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{
    AsyncMessage, Config, Notification, Row, RowStream, SimpleQueryMessage, Socket, Statement,
};

/// A statement's parameters with their types: sent with the statement, so
/// it needs no separate prepare.
pub type Params<'a> = &'a [(&'a (dyn ToSql + Sync), Type)];

/// Why connecting failed.
#[derive(Debug)]
pub enum Failed {
    /// The driver's error: refused, authentication, TLS, …
    Driver(tokio_postgres::Error),
    /// The handshake took longer than the timeout.
    TimedOut,
    /// No runtime for the connection (out of file descriptors or memory).
    Runtime(std::io::Error),
}

/// Why a call failed.
#[derive(Debug)]
pub enum Error {
    /// The driver's: the server's answer, or the connection's own error.
    Pg(tokio_postgres::Error),
    /// The connection had ended before the call.
    Ended,
    /// No answer within the deadline: the connection was given up.
    TimedOut(Duration),
}

impl Error {
    pub fn code(&self) -> Option<&SqlState> {
        match self {
            Error::Pg(e) => e.code(),
            Error::Ended | Error::TimedOut(_) => None,
        }
    }

    pub fn as_db_error(&self) -> Option<&DbError> {
        match self {
            Error::Pg(e) => e.as_db_error(),
            Error::Ended | Error::TimedOut(_) => None,
        }
    }

    /// Whether the connection is gone (closed, broken, or the server
    /// ending it): nothing more can be done on it, and what was not
    /// committed was not.
    pub fn is_lost(&self) -> bool {
        let e = match self {
            Error::Pg(e) => e,
            Error::Ended | Error::TimedOut(_) => return true,
        };
        if e.is_closed() {
            return true;
        }
        if let Some(code) = e.code() {
            // Class 08, connection exceptions; 57P01-57P03, the server
            // shutting down or not up yet.
            return code.code().starts_with("08") || matches!(code.code(), "57P01" | "57P02" | "57P03");
        }
        // The socket's own error (reset, broken pipe, end of file).
        std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Error {
        Error::Pg(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Pg(e) => e.fmt(f),
            Error::Ended => f.write_str("connection closed"),
            Error::TimedOut(after) => write!(f, "no answer within {}s", after.as_secs_f64()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Pg(e) => std::error::Error::source(e),
            Error::Ended | Error::TimedOut(_) => None,
        }
    }
}

pub struct Client {
    /// Taken only when dropped.
    client: Option<tokio_postgres::Client>,
    driver: Driver,
    /// Statements prepared on this connection, by their text and their
    /// parameters' types: the server parses each once, not at every call,
    /// and after a few calls keeps a plan for it (planned again when the
    /// tables' statistics change); for a short statement that was most of
    /// its cost there (BENCHMARKS.md).
    prepared: HashMap<(String, Vec<Type>), Statement>,
}

/// How many statements a connection keeps prepared; past that, a new one
/// is sent with its text each time, as before.
const PREPARED_MOST: usize = 256;

/// A statement's parameters as bound to a prepared statement.
fn values<'a>(params: Params<'a>) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|(v, _)| *v).collect()
}

/// What makes progress on the connection: the runtime and the
/// connection's own task, polled together with whatever a call awaits.
struct Driver {
    runtime: Runtime,
    connection: Pin<Box<dyn Stream<Item = Result<AsyncMessage, tokio_postgres::Error>> + Send>>,
    notifications: VecDeque<Notification>,
    /// The connection has ended: it is not polled again (its socket is
    /// closed), and calls fail at once.
    ended: bool,
    /// How long a call may wait for its answer.
    deadline: Duration,
}

impl Driver {
    /// Runs `f` until it is ready, driving the connection meanwhile; `f`
    /// is told when the connection has ended.
    fn poll_until<T>(
        &mut self,
        mut f: impl FnMut(&mut Context<'_>, &mut VecDeque<Notification>, bool) -> Poll<Result<T, Error>>,
    ) -> Result<T, Error> {
        let connection = &mut self.connection;
        let notifications = &mut self.notifications;
        let ended = &mut self.ended;
        self.runtime.block_on(future::poll_fn(|cx| {
            while !*ended {
                match connection.as_mut().poll_next(cx) {
                    Poll::Ready(Some(Ok(AsyncMessage::Notification(n)))) => notifications.push_back(n),
                    Poll::Ready(Some(Ok(_))) => {}
                    // The connection's own error (reset, closed, the server
                    // ending it) says more than the "connection closed" the
                    // call would get. It is the last thing it says.
                    Poll::Ready(Some(Err(e))) => {
                        *ended = true;
                        *connection = Box::pin(futures_util::stream::empty());
                        return Poll::Ready(Err(Error::Pg(e)));
                    }
                    Poll::Ready(None) => {
                        *ended = true;
                        *connection = Box::pin(futures_util::stream::empty());
                    }
                    Poll::Pending => break,
                }
            }
            f(cx, notifications, *ended)
        }))
    }

    /// A timer of this runtime (made outside it, a timer panics).
    fn sleep(&self, duration: Duration) -> tokio::time::Sleep {
        let _inside = self.runtime.enter();
        tokio::time::sleep(duration)
    }

    /// Runs a call of the driver's, within the deadline; fails at once on
    /// a connection that has ended. At the deadline the connection is
    /// given up: the call's answer could still come, and the next call
    /// would take it for its own.
    fn block_on<T>(
        &mut self,
        call: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Result<T, Error> {
        if self.ended {
            return Err(Error::Ended);
        }
        let deadline = self.deadline;
        let mut late = pin!(self.sleep(deadline));
        let mut call = pin!(call);
        let answer = self.poll_until(|cx, _, _| match call.as_mut().poll(cx) {
            Poll::Ready(done) => Poll::Ready(done.map_err(Error::Pg)),
            Poll::Pending => late.as_mut().poll(cx).map(|()| Err(Error::TimedOut(deadline))),
        });
        if let Err(Error::TimedOut(_)) = answer {
            self.end();
        }
        answer
    }

    /// Gives the connection up: its socket closes, and every later call
    /// fails at once.
    fn end(&mut self) {
        self.ended = true;
        self.connection = Box::pin(futures_util::stream::empty());
    }
}

impl Client {
    /// Connects with `config`, the whole handshake (TLS and
    /// authentication included, which the driver's own connect timeout
    /// does not cover) within `timeout`.
    pub fn connect<T>(config: &Config, tls: T, timeout: Duration) -> Result<Client, Failed>
    where
        T: MakeTlsConnect<Socket> + 'static + Send,
        T::TlsConnect: Send,
        T::Stream: Send,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Failed::Runtime)?;
        let connected = runtime.block_on(async { tokio::time::timeout(timeout, config.connect(tls)).await });
        let (client, mut connection) = match connected {
            Ok(Ok(pair)) => pair,
            Ok(Err(e)) => return Err(Failed::Driver(e)),
            Err(_) => return Err(Failed::TimedOut),
        };
        let connection = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        Ok(Client {
            client: Some(client),
            prepared: HashMap::new(),
            driver: Driver {
                runtime,
                connection: Box::pin(connection),
                notifications: VecDeque::new(),
                ended: false,
                deadline: timeout,
            },
        })
    }

    /// How long each call may wait for its answer from now on (until
    /// connected: the connect timeout); returns the one before.
    pub fn set_deadline(&mut self, deadline: Duration) -> Duration {
        std::mem::replace(&mut self.driver.deadline, deadline)
    }

    /// The prepared statement of each of `statements` (`None`: too many
    /// are prepared already), preparing those not yet, together in one
    /// round trip.
    fn prepare(&mut self, statements: &[(&str, Params<'_>)]) -> Result<Vec<Option<Statement>>, Error> {
        let key = |(sql, params): &(&str, Params<'_>)| {
            (
                sql.to_string(),
                params.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>(),
            )
        };
        let mut new: Vec<(String, Vec<Type>)> = Vec::new();
        for statement in statements {
            let key = key(statement);
            if !self.prepared.contains_key(&key)
                && !new.contains(&key)
                && self.prepared.len() + new.len() < PREPARED_MOST
            {
                new.push(key);
            }
        }
        if !new.is_empty() {
            let (client, driver) = self.parts();
            let prepares = new.iter().map(|(sql, types)| client.prepare_typed(sql, types));
            let prepared = driver.block_on(future::try_join_all(prepares))?;
            self.prepared.extend(new.into_iter().zip(prepared));
        }
        Ok(statements
            .iter()
            .map(|statement| self.prepared.get(&key(statement)).cloned())
            .collect())
    }

    pub fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, Error> {
        let mut rows = self.pipeline(&[(sql, params)])?;
        Ok(rows.pop().unwrap_or_default())
    }

    /// Runs the statements in one round trip (a pipeline: each is sent
    /// before any answer is awaited), and gives each one's rows, in order.
    /// Inside a transaction they see what the transaction sees.
    pub fn pipeline(&mut self, statements: &[(&str, Params<'_>)]) -> Result<Vec<Vec<Row>>, Error> {
        let prepared = self.prepare(statements)?;
        let (client, driver) = self.parts();
        let calls = statements.iter().zip(prepared).map(|((sql, params), prepared)| {
            let call: Pin<Box<dyn Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send + '_>> =
                match prepared {
                    Some(statement) => {
                        let values = values(params);
                        Box::pin(async move { client.query(&statement, &values).await })
                    }
                    None => Box::pin(client.query_typed(sql, params)),
                };
            call
        });
        driver.block_on(future::try_join_all(calls))
    }

    /// The rows of one statement as they arrive, without holding them all.
    pub fn rows(&mut self, sql: &str, params: Params<'_>) -> Result<Rows<'_>, Error> {
        let prepared = self.prepare(&[(sql, params)])?.pop().flatten();
        let (client, driver) = self.parts();
        let stream = match prepared {
            Some(statement) => driver.block_on(client.query_raw(&statement, values(params)))?,
            None => {
                driver.block_on(client.query_typed_raw(sql, params.iter().map(|(v, t)| (*v, t.clone()))))?
            }
        };
        Ok(Rows {
            driver,
            stream: Box::pin(stream),
        })
    }

    /// Parameterless statements, several in one round trip.
    pub fn batch_execute(&mut self, sql: &str) -> Result<(), Error> {
        let (client, driver) = self.parts();
        driver.block_on(client.batch_execute(sql))
    }

    pub fn simple_query(&mut self, sql: &str) -> Result<Vec<SimpleQueryMessage>, Error> {
        let (client, driver) = self.parts();
        driver.block_on(client.simple_query(sql))
    }

    /// Waits up to `timeout` for a notification (of a channel this
    /// connection LISTENs to); true if one or more came, all taken.
    pub fn wait_for_notification(&mut self, timeout: Duration) -> Result<bool, Error> {
        enum Woke {
            Notified,
            TimedOut,
            Ended,
        }
        let mut sleep = pin!(self.driver.sleep(timeout));
        let woke = self.driver.poll_until(|cx, notifications, ended| {
            if !notifications.is_empty() {
                notifications.clear();
                return Poll::Ready(Ok(Woke::Notified));
            }
            if ended {
                return Poll::Ready(Ok(Woke::Ended));
            }
            sleep.as_mut().poll(cx).map(|()| Ok(Woke::TimedOut))
        })?;
        match woke {
            Woke::Notified => Ok(true),
            Woke::TimedOut => Ok(false),
            Woke::Ended => Err(Error::Ended),
        }
    }

    /// The client and the driver, borrowed apart.
    fn parts(&mut self) -> (&tokio_postgres::Client, &mut Driver) {
        let client = self
            .client
            .as_ref()
            .expect("the client is taken only when dropped");
        (client, &mut self.driver)
    }
}

impl Drop for Client {
    /// Says goodbye (Terminate), as libpq does, without waiting for the
    /// server to hang up (a server that sees the socket close without it
    /// logs an "unexpected EOF"), and never for long: a call left
    /// unanswered by a hung server is not waited for.
    fn drop(&mut self) {
        drop(self.client.take());
        if self.driver.ended {
            return;
        }
        let mut patience = pin!(self.driver.sleep(Duration::from_millis(200)));
        let _ = self.driver.poll_until(|cx, _, ended| match ended {
            true => Poll::Ready(Ok(())),
            false => patience.as_mut().poll(cx).map(Ok),
        });
    }
}

/// The rows of [`Client::rows`].
pub struct Rows<'a> {
    driver: &'a mut Driver,
    stream: Pin<Box<RowStream>>,
}

impl Rows<'_> {
    pub fn next(&mut self) -> Result<Option<Row>, Error> {
        let stream = &mut self.stream;
        self.driver.block_on(stream.try_next())
    }
}
