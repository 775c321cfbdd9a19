//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Beckon: remote assistance for people who need help and the helpers they trust.
#[derive(Debug, Parser)]
#[command(name = "beckon", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an invitation for a helper: writes a .beckon file and prints the text.
    Invite(InviteArgs),
    /// List your invitations with their status.
    Invitations,
    /// Revoke one invitation, or all of them.
    Revoke(RevokeArgs),
    /// Show or change what helpers may do on this machine.
    Settings(SettingsArgs),
    /// Share this machine's screen with helpers who connect (the person's side).
    Share(ShareArgs),
    /// Connect to a person's machine with their invitation (the helper's side).
    Connect(ConnectArgs),
    /// Offer help to a machine whose policy lists you (organisations).
    Offer(OfferArgs),
    /// Make a helper key for offered help.
    Keygen(KeygenArgs),
    /// An organisation's group key: make one, or certify a helper with it.
    Group(GroupArgs),
    /// Check an offered-help policy file.
    Policy(PolicyArgs),
    /// Check that Beckon can work on this machine, and say how to fix what is missing.
    Doctor(DoctorArgs),
    /// Run a whole session between a simulated machine and a helper, over real TCP.
    Demo(DemoArgs),
    /// Own a KVM dongle: pair once, then manage its invitations.
    Dongle(crate::commands::dongle::DongleArgs),
}

/// `beckon invite`.
#[derive(Debug, Args)]
pub struct InviteArgs {
    /// Read a password for the invitation from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// How long the invitation works, e.g. 30m, 1h, 2d.
    #[arg(long, default_value = "1h")]
    pub expires: String,
    /// Your name, as the helper will see it.
    #[arg(long)]
    pub name: Option<String>,
    /// Where to write the .beckon file (default: invitation-<id>.beckon here).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where the helper should connect; repeat for several (default 127.0.0.1:7070).
    #[arg(long = "address")]
    pub addresses: Vec<String>,
}

/// `beckon revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The invitation's id (or the start of it) from `beckon invitations`.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub id: Option<String>,
    /// Revoke every invitation.
    #[arg(long)]
    pub all: bool,
}

/// On or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Allowed.
    On,
    /// Not allowed.
    Off,
}

impl Switch {
    /// As a bool.
    pub fn on(self) -> bool {
        self == Switch::On
    }
}

/// `beckon settings`.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Whether a helper may ever share keyboard and mouse (the person is still asked).
    #[arg(long, value_enum)]
    pub allow_control: Option<Switch>,
    /// Whether helpers listed in the policy may offer help without an invitation.
    #[arg(long, value_enum)]
    pub offered_help: Option<Switch>,
    /// Whether helpers may connect with an invitation.
    #[arg(long, value_enum)]
    pub requested_help: Option<Switch>,
}

/// `beckon share`.
#[derive(Debug, Args)]
pub struct ShareArgs {
    /// Where to accept helpers' connections.
    #[arg(long, default_value = "127.0.0.1:7070")]
    pub listen: SocketAddr,
    /// Share the built-in simulated desktop.
    #[arg(long, conflicts_with = "display")]
    pub simulated: bool,
    /// Share this X11 display, e.g. :0 (default: $DISPLAY).
    #[arg(long)]
    pub display: Option<String>,
    /// Say yes to starting sessions and sharing control without asking (for scripted tests).
    #[arg(long)]
    pub yes: bool,
    /// Where files from helpers go (default: a "received" folder in Beckon's data directory).
    #[arg(long)]
    pub download_dir: Option<PathBuf>,
    /// Ask and answer in this terminal only, without the browser panel.
    #[arg(long, conflicts_with_all = ["no_browser", "web_port", "lang"])]
    pub no_panel: bool,
    /// The panel's page.
    #[command(flatten)]
    pub web: WebArgs,
}

/// How a command serves its browser page (the console or the panel).
#[derive(Debug, Args, Clone)]
pub struct WebArgs {
    /// Do not open the page in a browser; only print its link.
    #[arg(long)]
    pub no_browser: bool,
    /// The page's port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub web_port: u16,
    /// The page's language: en, nl, nb or de (default: the system's).
    #[arg(long)]
    pub lang: Option<String>,
}

/// What the helper's client does, for `connect` and `offer`.
#[derive(Debug, Args, Clone)]
pub struct ClientArgs {
    /// Your name, as the person will see it.
    #[arg(long)]
    pub name: Option<String>,
    /// Write what you see to this PNG file when the script ends.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// Run these commands instead of reading them from standard input.
    #[arg(long)]
    pub script: Option<PathBuf>,
    /// The keyboard layout of the person's machine: us, us-intl, de, no, nl.
    #[arg(long, default_value = "us")]
    pub layout: String,
    /// Pause between typed characters, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub key_delay: u64,
    /// Where accepted files go.
    #[arg(long, default_value = ".")]
    pub download_dir: PathBuf,
    /// Accept every file the person sends.
    #[arg(long)]
    pub accept_files: bool,
    /// Longest wait for the person or the machine, in seconds.
    #[arg(long, default_value_t = 150)]
    pub wait_limit: u64,
    /// Take commands in this terminal instead of serving the browser console.
    #[arg(long)]
    pub terminal: bool,
    /// The console's page.
    #[command(flatten)]
    pub web: WebArgs,
}

/// `beckon connect`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The invitation: a .beckon file, or its beckon1: text.
    pub invitation: String,
    /// Read the invitation's password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// The client's options.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `beckon offer`.
#[derive(Debug, Args)]
pub struct OfferArgs {
    /// The machine's address, HOST:PORT.
    pub address: String,
    /// Your helper key file (from `beckon keygen`).
    #[arg(long)]
    pub key: PathBuf,
    /// Your group's certificate for your key, if your organisation gave you one.
    #[arg(long)]
    pub cert: Option<PathBuf>,
    /// The machine's public key (hex), to be sure you reach the right one.
    #[arg(long)]
    pub machine_key: Option<String>,
    /// The client's options.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `beckon keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the new key (it is never overwritten).
    #[arg(long)]
    pub out: PathBuf,
}

/// `beckon group`.
#[derive(Debug, Args)]
pub struct GroupArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: GroupCommand,
}

/// `beckon group` subcommands.
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Make a group (organisation) signing key; prints its public key for policies.
    New {
        /// Where to write the key (never overwritten; keep it offline).
        #[arg(long)]
        out: PathBuf,
    },
    /// Certify a helper's public key as a member of the group.
    Sign {
        /// The group key file from `beckon group new`.
        #[arg(long)]
        group: PathBuf,
        /// The helper's public key, as `beckon keygen` printed it (64 hex digits).
        #[arg(long)]
        helper: String,
        /// The helper's name, as machines will show it.
        #[arg(long)]
        name: String,
        /// How long the certificate is valid, in days.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// Where to write the certificate (for `beckon offer --cert`).
        #[arg(long)]
        out: PathBuf,
    },
}

/// `beckon policy`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// What to do with a policy.
    #[command(subcommand)]
    pub command: PolicyCommand,
}

/// Policy commands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Show which helper may do what under a policy file, and what is wrong with it.
    Check {
        /// The policy file (.toml or .json).
        file: PathBuf,
    },
}

/// `beckon doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The address `beckon share` would listen on.
    #[arg(long, default_value = "127.0.0.1:7070")]
    pub listen: SocketAddr,
    /// The display `beckon share` would use (default: the simulated one).
    #[arg(long)]
    pub display: Option<String>,
}

/// `beckon demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run the story once, write the snapshot and exit.
    #[arg(long)]
    pub headless: bool,
    /// Where to write what the helper sees.
    #[arg(long, default_value = "target/beckon-demo.png")]
    pub snapshot: PathBuf,
}
