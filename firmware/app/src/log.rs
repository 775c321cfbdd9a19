//! The app's log lines. On a board they are defmt frames (feature `defmt`);
//! in host-sim, which runs this app on the host, no defmt logger is linked,
//! so the lines compile to nothing. The arguments are still borrowed then,
//! so a value used only for logging does not turn into a warning.

macro_rules! log_line {
    ($level:ident, $fmt:literal $(, $arg:expr)* $(,)?) => {{
        #[cfg(feature = "defmt")]
        defmt::$level!($fmt $(, $arg)*);
        #[cfg(not(feature = "defmt"))]
        {
            let _ = ($(&$arg,)*);
        }
    }};
}

macro_rules! debug {
    ($($t:tt)*) => { $crate::log::log_line!(debug, $($t)*) };
}

macro_rules! info {
    ($($t:tt)*) => { $crate::log::log_line!(info, $($t)*) };
}

// Not `warn`: that name is taken by the built-in attribute for `use`.
macro_rules! warning {
    ($($t:tt)*) => { $crate::log::log_line!(warn, $($t)*) };
}

macro_rules! error {
    ($($t:tt)*) => { $crate::log::log_line!(error, $($t)*) };
}

pub(crate) use {debug, error, info, log_line, warning};
