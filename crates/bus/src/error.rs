//! The crate's error type and the boxed error types handlers and tasks return.

use std::fmt;
use std::sync::Arc;

use emp_telemetry::{ConfigErrors, SinkError};

/// Errors of the bus crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration or policy failed validation (every violation is listed).
    #[error("invalid configuration:\n{0}")]
    InvalidConfig(#[from] ConfigErrors),
    /// The bus has not been started yet.
    #[error("event bus is not running (not started)")]
    NotRunning,
    /// The bus is stopping or stopped and refuses new work.
    #[error("event bus is stopped")]
    Stopped,
    /// `try_publish` of a `Block`-class event found a subscriber queue full; nothing was
    /// delivered to any subscriber.
    #[error("subscriber `{subscriber}` queue is full for topic `{topic}`")]
    QueueFull {
        /// Topic of the refused event.
        topic: Arc<str>,
        /// Name of the first subscriber found full.
        subscriber: Arc<str>,
    },
    /// A task or dispatcher had to be spawned outside a tokio runtime.
    #[error("no tokio runtime available")]
    NoRuntime(#[source] tokio::runtime::TryCurrentError),
    /// The failover publisher could deliver to neither the bus nor the fallback sink.
    #[error("publish failed: bus refused ({bus}) and the fallback sink failed")]
    PublishFailed {
        /// Why the bus refused.
        bus: Box<Error>,
        /// Why the fallback sink failed.
        #[source]
        fallback: SinkError,
    },
    /// The supervisor is shutting down and accepts no new tasks.
    #[error("task supervisor is shutting down")]
    ShuttingDown,
}

impl Error {
    /// `true` if retrying later may succeed (a full queue); `false` for states that will
    /// not change by themselves (stopped bus, invalid config).
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::QueueFull { .. })
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

macro_rules! boxed_error {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Any `std::error::Error + Send + Sync` converts into it with `?`; use
        #[doc = concat!("[`", stringify!($name), "::msg`]")]
        /// for a plain message. (It deliberately does not implement `std::error::Error`
        /// itself, which is what makes the blanket conversion possible.)
        pub struct $name(BoxError);

        impl $name {
            /// An error carrying only a message.
            pub fn msg(message: impl fmt::Display) -> Self {
                $name(message.to_string().into())
            }

            /// The underlying error.
            pub fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
                &*self.0
            }

            /// Unwrap into the underlying boxed error.
            pub fn into_inner(self) -> BoxError {
                self.0
            }
        }

        impl<E: std::error::Error + Send + Sync + 'static> From<E> for $name {
            fn from(e: E) -> Self {
                $name(Box::new(e))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }
    };
}

boxed_error!(
    /// Error returned by a subscription handler; counted and logged by the bus.
    HandlerError
);

boxed_error!(
    /// Error returned by a supervised task or a shutdown step.
    TaskError
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxed_errors_convert_and_display() {
        fn fails() -> Result<(), HandlerError> {
            let n: i32 = "x".parse()?;
            let _ = n;
            Ok(())
        }
        let e = fails().unwrap_err();
        assert!(e.to_string().contains("invalid digit"));
        assert_eq!(TaskError::msg("boom").to_string(), "boom");
        assert_eq!(TaskError::msg("boom").as_error().to_string(), "boom");
    }

    #[test]
    fn only_full_queue_is_transient() {
        let full = Error::QueueFull {
            topic: "t".into(),
            subscriber: "s".into(),
        };
        assert!(full.is_transient());
        assert!(!Error::Stopped.is_transient());
        assert!(!Error::NotRunning.is_transient());
    }
}
