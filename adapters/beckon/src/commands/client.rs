//! The helper's side of `connect` and `offer`: connect, wait to be let in,
//! run the script or the terminal's commands, write the snapshot.

use std::path::Path;
use std::time::Duration;

use beckon_core::keymap::Layout;
use beckon_core::session::ExpertSession;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::cli::ClientArgs;
use crate::error::{end_code, Error, Result};
use crate::expert::script::{parse_line, parse_script, run_step, Flow, Pace, Step};
use crate::expert::{Client, ClientOptions, FileAnswer};
use crate::home::write_atomic;
use crate::story::Story;
use crate::web::console::{self, ConsoleSetup, Start};
use crate::web::{Page, WebOptions};

/// Whether the helper works in the browser console (no script, no
/// `--terminal`).
pub fn uses_console(args: &ClientArgs) -> bool {
    args.script.is_none() && !args.terminal
}

fn layout_of(args: &ClientArgs) -> Result<Layout> {
    Layout::from_name(&args.layout).ok_or_else(|| {
        Error::Usage(format!(
            "unknown keyboard layout {:?}; known: us, us-intl, de, no, nl",
            args.layout
        ))
    })
}

/// Serve the console and run the session from it.
pub async fn run_console(
    start: Start,
    addresses: Vec<String>,
    helper_name: String,
    args: ClientArgs,
) -> Result<u8> {
    let options = WebOptions::from_args(&args.web)?;
    let setup = ConsoleSetup {
        start,
        addresses,
        helper_name,
        layout: layout_of(&args)?,
        download_dir: args.download_dir.clone(),
        lang: options.lang,
    };
    let (server, sockets) = crate::web::serve(Page::Console, &options).await?;
    console::run(setup, server, sockets).await
}

pub async fn run(session: ExpertSession, addresses: Vec<String>, args: ClientArgs) -> Result<u8> {
    if uses_console(&args) {
        let name = args.name.clone().unwrap_or_else(super::default_person_name);
        return run_console(Start::Session(Box::new(session)), addresses, name, args).await;
    }
    let layout = layout_of(&args)?;
    let steps = match &args.script {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
            Some(parse_script(&text)?)
        }
        None => None,
    };
    let files = match (args.accept_files, steps.is_some()) {
        (true, _) => FileAnswer::Accept,
        (false, true) => FileAnswer::Decline,
        (false, false) => FileAnswer::Ask,
    };
    let options = ClientOptions {
        download_dir: args.download_dir.clone(),
        files,
        story: Story::new(),
        news: None,
    };
    let limit = Duration::from_secs(args.wait_limit.max(1));
    let mut client = Client::connect(&addresses, session, options).await?;
    let (status, started) = client.wait_for(limit, |s| s.started).await;
    if !started {
        let end = client.finish().await;
        return Err(match end.ended.or(status.ended) {
            Some(r) => Error::Ended(r),
            None => Error::Other("the person did not answer in time".into()),
        });
    }
    let pace = Pace {
        layout,
        key_delay: Duration::from_millis(args.key_delay),
        limit,
    };
    let result = match &steps {
        Some(steps) => run_steps(&mut client, steps, &pace).await,
        None => interactive(&mut client, &pace).await,
    };
    let shot = match &args.snapshot {
        Some(path) => snapshot(&client, path),
        None => Ok(()),
    };
    let end = client.finish().await;
    result?;
    shot?;
    Ok(match (steps.is_some(), end.ended) {
        (false, Some(r)) => end_code(r),
        _ => 0,
    })
}

async fn run_steps(client: &mut Client, steps: &[Step], pace: &Pace) -> Result<()> {
    for step in steps {
        if run_step(client, step, pace).await? == Flow::Stop {
            break;
        }
    }
    Ok(())
}

enum Input {
    Line(Option<String>),
    Ended,
    Interrupted,
}

async fn interactive(client: &mut Client, pace: &Pace) -> Result<()> {
    eprintln!(
        "Type commands (request-control, type TEXT, chat TEXT, send-file PATH, disconnect …)."
    );
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut status = client.status.clone();
    loop {
        let input = tokio::select! {
            l = lines.next_line() => Input::Line(l.ok().flatten()),
            _ = status.wait_for(|s| s.ended.is_some()) => Input::Ended,
            _ = tokio::signal::ctrl_c() => Input::Interrupted,
        };
        let line = match input {
            Input::Line(Some(line)) => line,
            Input::Line(None) | Input::Ended | Input::Interrupted => return Ok(()),
        };
        match parse_line(&line) {
            Ok(Some(step)) => match run_step(client, &step, pace).await {
                Ok(Flow::Stop) => return Ok(()),
                Ok(Flow::Continue) => {}
                Err(Error::EndedEarly(_)) => return Ok(()),
                Err(e) => eprintln!("{e}"),
            },
            Ok(None) => {}
            Err(e) => eprintln!("{e}"),
        }
    }
}

fn snapshot(client: &Client, path: &Path) -> Result<()> {
    if client.now().frames == 0 {
        return Err(Error::Other(format!(
            "no picture arrived, so {} was not written",
            path.display()
        )));
    }
    let png = client.snapshot_png()?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    write_atomic(path, &png)?;
    eprintln!("What you saw is in {}.", path.display());
    Ok(())
}
