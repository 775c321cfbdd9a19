//! `beckon settings`: what helpers may do on this machine (SES-03, OFF-01).

use crate::cli::SettingsArgs;
use crate::error::Result;
use crate::home::Home;
use crate::settings::{change, load, settings_path};

fn word(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

pub fn run(args: SettingsArgs) -> Result<()> {
    let home = Home::locate()?;
    let any = args.allow_control.is_some()
        || args.offered_help.is_some()
        || args.requested_help.is_some();
    let s = if any {
        change(&home, |s| {
            if let Some(v) = args.allow_control {
                s.allow_remote_control = v.on();
            }
            if let Some(v) = args.offered_help {
                s.offered_help = v.on();
            }
            if let Some(v) = args.requested_help {
                s.requested_help = v.on();
            }
        })?
    } else {
        load(&home)?
    };
    println!(
        "remote control   {:<4} helpers may ask to share keyboard and mouse; the person is asked every time",
        word(s.allow_remote_control)
    );
    println!(
        "requested help   {:<4} helpers with an invitation may connect",
        word(s.requested_help)
    );
    println!(
        "offered help     {:<4} helpers listed in the policy may connect without an invitation",
        word(s.offered_help)
    );
    println!("settings file    {}", settings_path(&home).display());
    Ok(())
}
