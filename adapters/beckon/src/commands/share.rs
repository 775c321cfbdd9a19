//! `beckon share`: the novice's agent on a real socket.

use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::agent::{self, person, Agent, AgentConfig, Answer, Answers, ConnCmd, Hub};
use crate::book::BookStore;
use crate::cli::ShareArgs;
use crate::display::{self, DisplayChoice};
use crate::error::{Error, Result};
use crate::home::Home;
use crate::machine::Machine;
use crate::story::Story;
use crate::web::panel::{self, PanelSetup};
use crate::web::{self, Page, WebOptions};

pub async fn run(args: ShareArgs) -> Result<()> {
    let home = Home::locate()?;
    home.ensure()?;
    let choice = match (args.simulated, args.display) {
        (true, _) => DisplayChoice::Simulated,
        (false, Some(d)) => DisplayChoice::X11(d),
        // Like every X client: the screen of this session, when there is one.
        (false, None) => match std::env::var("DISPLAY") {
            Ok(d) if !d.is_empty() => DisplayChoice::X11(d),
            _ => return Err(Error::Usage(
                "no screen to share here (DISPLAY is not set): use --display :N, or --simulated"
                    .into(),
            )),
        },
    };
    let (display, _keyboard) = display::open(&choice)?;
    // Refuse to start on a damaged book or settings rather than at the
    // first helper.
    BookStore::new(&home).load()?;
    crate::settings::load(&home)?;
    let machine = Machine::load_or_create(&home)?;
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| Error::io(format!("cannot listen on {}", args.listen), e))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::io("cannot read the listening address", e))?;
    let answers = if args.yes {
        tracing::warn!("--yes: sessions and control requests are accepted without asking");
        Answers {
            consent: Answer::Yes,
            control: Answer::Yes,
            files: Answer::Ask,
        }
    } else {
        Answers::default()
    };
    let config = AgentConfig {
        download_dir: args.download_dir.unwrap_or_else(|| home.file("received")),
        home,
        answers,
        session: Default::default(),
    };
    println!(
        "Sharing the {} screen on {local}. Helpers with one of your invitations can connect.\n\
         Only invite people you trust: a helper sees everything on your screen.\n\
         Type help for commands; press Ctrl+C to stop sharing.",
        match choice {
            DisplayChoice::Simulated => "simulated",
            DisplayChoice::X11(_) => "X11",
        }
    );
    let (person_tx, person_rx) = mpsc::unbounded_channel();
    let web_options = WebOptions::from_args(&args.web)?;
    let panel = if args.no_panel {
        None
    } else {
        Some(PanelSetup {
            addresses: vec![invite_address(local)],
            home: config.home.clone(),
            lang: web_options.lang,
            person_name: super::default_person_name(),
        })
    };
    let agent = Agent::new(
        config,
        machine,
        Hub::new(display),
        Some(person_tx),
        Story::new(),
    );
    // The terminal keeps its commands (stop, chat, send-file, disconnect);
    // with the panel, the questions go to the panel instead.
    let (terminal_tx, terminal_rx) = mpsc::unbounded_channel();
    let _server = match panel {
        None => {
            tokio::spawn(person::run(person_rx, agent.registry()));
            drop(terminal_rx);
            None
        }
        Some(setup) => {
            let (server, sockets) = web::serve(Page::Panel, &web_options).await?;
            let (news_tx, news_rx) = mpsc::unbounded_channel();
            agent.report_to(news_tx);
            tokio::spawn(panel::run(
                setup,
                agent.registry(),
                sockets,
                person_rx,
                news_rx,
            ));
            tokio::spawn(person::run(terminal_rx, agent.registry()));
            Some(server)
        }
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let registry = agent.registry();
    tokio::spawn(async move {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        loop {
            let interrupted = tokio::select! {
                r = tokio::signal::ctrl_c() => r.is_ok(),
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => false,
            };
            if interrupted && agent::anyone_in_control(&registry) {
                // Ctrl+C is one of the three ways to take control back (SES-05).
                agent::broadcast(&registry, &ConnCmd::CtrlC);
                println!("Control taken back. Press Ctrl+C again to stop sharing.");
                continue;
            }
            let _ = stop_tx.send(true);
            return;
        }
    });
    agent.serve(listener, stop_rx).await;
    drop(terminal_tx);
    Ok(())
}

/// The address new invitations from the panel carry: where this agent
/// listens (a wildcard address is no place to connect to: use loopback,
/// as `beckon invite` does by default).
fn invite_address(local: std::net::SocketAddr) -> String {
    if local.ip().is_unspecified() {
        format!("127.0.0.1:{}", local.port())
    } else {
        local.to_string()
    }
}
