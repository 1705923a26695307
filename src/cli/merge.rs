//! `gov merge SHARD...`: join the shard files of one sweep (`gov sweep --shard I/N`) into
//! exactly the CSV and JSON the unsharded sweep writes. Shards of different sweeps,
//! missing, repeated or interrupted shards are refused (`E0108`).

use super::load::fail;
use super::output::write_atomic;
use super::{err, input, out, EXIT_INPUT, EXIT_OK};
use gov::diag::{Code, Diagnostic};
use gov::source::{SourceMap, Span};
use gov::sweep::table;
use std::path::PathBuf;

/// Arguments of `gov merge`.
#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// The shard files (`PREFIX.shard-I-of-N.json`), in any order.
    #[arg(required = true)]
    shards: Vec<String>,
    /// Write PREFIX.csv and PREFIX.json instead of printing.
    #[arg(long, short, value_name = "PREFIX")]
    out: Option<String>,
    /// Print the JSON document instead of the CSV.
    #[arg(long)]
    json: bool,
}

/// Runs `gov merge`.
pub fn run(args: &MergeArgs, color: bool) -> i32 {
    let mut sources = SourceMap::new();
    let mut shards = Vec::new();
    for path in &args.shards {
        let text = match input::read(path, &mut sources) {
            Ok(t) => t,
            Err(d) => return fail(&[d], &sources, color, false, EXIT_INPUT),
        };
        match table::parse(&text) {
            Ok((header, rows)) => shards.push((path.clone(), header, rows)),
            Err(why) => {
                let id = sources.add(path, text);
                let d = Diagnostic::new(Code::E0108, Span::new(id, 0..0), format!("`{path}` is not a sweep shard"))
                    .label(why)
                    .help("pass the `.json` files written by `gov sweep --shard I/N --out PREFIX`");
                return fail(&[d], &sources, color, false, EXIT_INPUT);
            }
        }
    }
    let (header, rows) = match table::merge(shards) {
        Ok(m) => m,
        Err(why) => {
            let first = args.shards.first().cloned().unwrap_or_default();
            let id = sources.add(first, "");
            let d = Diagnostic::new(Code::E0108, Span::new(id, 0..0), "the shards do not make one sweep")
                .label(why)
                .help("merge the complete set of shards of one `gov sweep` run, each solved to the end");
            return fail(&[d], &sources, color, false, EXIT_INPUT);
        }
    };
    let json = format!("{}\n", serde_json::to_string_pretty(&table::document(&header, &rows)).unwrap_or_default());
    let written = match &args.out {
        Some(prefix) => write_atomic(&PathBuf::from(format!("{prefix}.csv")), table::csv(&header, &rows).as_bytes())
            .and_then(|()| write_atomic(&PathBuf::from(format!("{prefix}.json")), json.as_bytes())),
        None if args.json => {
            out(&json);
            Ok(())
        }
        None => {
            out(&table::csv(&header, &rows));
            Ok(())
        }
    };
    if let Err(message) = written {
        err(&format!("error[{}]: {message}\n", Code::E0109));
        return EXIT_INPUT;
    }
    EXIT_OK
}
