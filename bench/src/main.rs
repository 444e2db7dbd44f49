//! Builds the benchmark data: a closer data folder written through closer's own record types and
//! store, and the peers' data of the same size (taskwarrior tasks to import, a jrnl journal).
//!
//! ```text
//! closer-bench closer DIR [--needs N] [--years Y] [--sessions S]
//! closer-bench tasks N            # JSON for `task import`, on stdout
//! closer-bench jrnl N             # a jrnl journal of N entries, on stdout
//! ```

use chrono::{DateTime, Days, NaiveDate, Utc};
use closer_core::content::Library;
use closer_core::needs::{Change, Helper, Importance, Need, Status};
use closer_core::prompts::{Answer, AnswerFile, Filter, pick, rotation};
use closer_core::store::{FORMAT_VERSION, Store};
use closer_core::touch::{self, Debrief, Event, EventKind, Session, Sessions, State};
use closer_core::{ids, profile};
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

/// The last day of the data: the benchmarks pin `CLOSER_TODAY` to it.
const TODAY: &str = "2026-11-21";

/// A small deterministic generator, so two runs build the same data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn words(&mut self, n: usize) -> String {
        const W: &[&str] = &[
            "we",
            "walked",
            "slowly",
            "by",
            "the",
            "river",
            "and",
            "talked",
            "about",
            "tired",
            "days",
            "your",
            "hands",
            "felt",
            "warm",
            "after",
            "treatment",
            "I",
            "missed",
            "laughing",
            "together",
            "it",
            "helps",
            "when",
            "you",
            "ask",
            "first",
            "morning",
            "coffee",
            "was",
            "quiet",
            "good",
            "hard",
            "music",
            "kitchen",
            "garden",
            "sleep",
            "rest",
        ];
        (0..n)
            .map(|_| W[self.below(W.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn at(d: NaiveDate, hour: u32) -> DateTime<Utc> {
    d.and_hms_opt(hour, 0, 0).unwrap().and_utc()
}

fn closer(dir: &str, needs: usize, years: u64, sessions: usize) -> closer_core::Result<()> {
    let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let start = today - Days::new(years * 365);
    let store = Store::new(dir);
    let lib = Library::builtin();
    let mut rng = Rng(7);
    let alex = profile::add(
        &store,
        "Alex",
        vec!["arthritis".into(), "fatigue".into()],
        start,
    )?;
    let sam = profile::add(&store, "Sam", vec!["post-surgery".into()], start)?;
    let partners = [&alex, &sam];
    let couple = profile::Couple::load(&store)?;

    // Daily answers from both partners, one file per partner per year.
    let order = rotation(&lib, &couple, &Filter::default());
    for p in partners {
        let mut by_year: BTreeMap<i32, Vec<Answer>> = BTreeMap::new();
        let mut d = start;
        while d < today {
            let q = pick(&order, d, false)?;
            let len = 12 + rng.below(30);
            let text = rng.words(len);
            let a = Answer::new(d, q.id, q.text, text, at(d, 20));
            by_year
                .entry(chrono::Datelike::year(&d))
                .or_default()
                .push(a);
            d = d.succ_opt().unwrap();
        }
        store.ensure_dir(&format!("answers/{}", p.id))?;
        for (year, answers) in by_year {
            let f = AnswerFile {
                answers,
                ..AnswerFile::new(&p.id)
            };
            store.write(&format!("answers/{}/{year}.json", p.id), &f)?;
        }
    }

    // Needs with a few changes each.
    store.ensure_dir(closer_core::needs::DIR)?;
    let cats = closer_core::content::schema::NEED_CATEGORIES;
    for i in 0..needs {
        let owner = partners[i % 2];
        let created = start + Days::new(rng.below((years * 365) as usize) as u64);
        let mut n = Need {
            extra: Default::default(),
            version: FORMAT_VERSION,
            id: ids::new_id(),
            owner: owner.id.clone(),
            text: lib.needs[i % lib.needs.len()].text.to_owned(),
            category: cats[i % cats.len()].to_owned(),
            condition: None,
            importance: [Importance::Low, Importance::Medium, Importance::High][i % 3],
            status: Status::Open,
            plan: None,
            helper: None,
            review: None,
            private: i % 10 == 0,
            created,
            history: vec![Change {
                extra: Default::default(),
                date: created,
                at: at(created, 9),
                by: owner.id.clone(),
                what: "named the need".into(),
            }],
            proposal: None,
        };
        // A private need takes no plan (the tools ask that it be shared first).
        if i % 2 == 0 && !n.private {
            let d = created + Days::new(3);
            n.status = Status::Agreed;
            n.plan = Some(rng.words(10));
            n.helper = Some(Helper::Partner(partners[(i + 1) % 2].id.to_string()));
            n.review = Some(d + Days::new(30));
            n.history.push(Change {
                extra: Default::default(),
                date: d,
                at: at(d, 9),
                by: owner.id.clone(),
                what: "agreed".into(),
            });
        }
        store.write(&format!("{}/{}.json", closer_core::needs::DIR, n.id), &n)?;
    }

    // Touch: both said yes to every step everyone may see, years of readiness, and sessions
    // with debriefs split between the two partners' own files.
    let steps = touch::visible_steps(&lib, &couple);
    for (k, p) in partners.iter().enumerate() {
        let mut st = State::new(&p.id);
        for s in &steps {
            st.boundaries.insert(s.id.to_owned(), touch::Answer::Yes);
        }
        let mut s = Sessions::new(&p.id);
        for i in (k..sessions).step_by(2) {
            let d = start + Days::new((i as u64 * years * 365) / sessions.max(1) as u64);
            let step = steps[(i * steps.len() / sessions.max(1)).min(steps.len() - 1)];
            let id = ids::new_id();
            s.sessions.push(Session {
                extra: Default::default(),
                id: id.clone(),
                date: d,
                at: at(d, 21),
                step: step.id.into(),
                giver: Some(p.id.clone()),
                minutes: Some(15),
                note: Some(rng.words(8)),
            });
            for who in 0..2 {
                let deb = Debrief {
                    extra: Default::default(),
                    session: id.clone(),
                    step: step.id.into(),
                    date: d,
                    at: at(d, 22),
                    noticed: Some(rng.words(10)),
                    too_much: None,
                    private: who == 1,
                };
                if who == k {
                    s.debriefs.push(deb);
                }
            }
            if i % 40 == k {
                st.events.push(Event {
                    extra: Default::default(),
                    date: d,
                    at: at(d, 23),
                    kind: EventKind::Ready {
                        step: step.id.into(),
                    },
                });
            }
        }
        store.ensure_dir(&format!("touch/{}", p.id))?;
        store.write(&touch::state_path(&p.id), &st)?;
        store.write(&touch::sessions_path(&p.id), &s)?;
    }
    Ok(())
}

/// Tasks for `task import`: a JSON array.
fn tasks(n: usize) -> String {
    let mut rng = Rng(11);
    let v: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let (project, tag) = [("home", "care"), ("health", "talk"), ("us", "rest")][i % 3];
            serde_json::json!({
                "uuid": format!("{:08x}-0000-4000-8000-{:012x}", i, rng.next() & 0xffff_ffff_ffff),
                "description": rng.words(6),
                "status": "pending",
                "entry": "20250101T090000Z",
                "project": project,
                "tags": [tag],
            })
        })
        .collect();
    serde_json::to_string(&v).unwrap()
}

/// A jrnl journal in its plain-text format, one entry a day.
fn jrnl(n: usize) -> String {
    let mut rng = Rng(13);
    let start = NaiveDate::from_ymd_opt(2006, 1, 1).unwrap();
    let mut s = String::new();
    for i in 0..n {
        let d = start + Days::new(i as u64);
        s += &format!("[{d} 09:00] {}.\n{}\n\n", rng.words(6), rng.words(30));
    }
    s
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let count = |default: usize| args.get(1).and_then(|v| v.parse().ok()).unwrap_or(default);
    let result = match args.first().map(String::as_str) {
        Some("closer") if args.len() >= 2 => {
            closer(&args[1], flag("--needs", 500), flag("--years", 20) as u64, flag("--sessions", 2000)).map_err(|e| e.to_string())
        }
        Some("tasks") => std::io::stdout().write_all(tasks(count(5000)).as_bytes()).map_err(|e| e.to_string()),
        Some("jrnl") => std::io::stdout().write_all(jrnl(count(7300)).as_bytes()).map_err(|e| e.to_string()),
        _ => Err("usage: closer-bench closer DIR [--needs N] [--years Y] [--sessions S] | tasks N | jrnl N".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("closer-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The folder holds only what the tools themselves can make: a private need carries no plan
    /// and no helper (proposing one is refused until the need is shared). One that did would wait
    /// for the other partner's signature in a move to encryption that only its owner's device
    /// can make, and be reported there as a plain record no one can trust.
    #[test]
    fn private_needs_carry_no_plan() {
        let dir = tempfile::tempdir().unwrap();
        closer(dir.path().to_str().unwrap(), 40, 1, 2).unwrap();
        let store = Store::new(dir.path());
        let needs: Vec<Need> = store.read_all(closer_core::needs::DIR).unwrap();
        assert_eq!(needs.len(), 40);
        let private: Vec<&Need> = needs.iter().filter(|n| n.private).collect();
        assert!(!private.is_empty());
        for n in private {
            assert!(n.plan.is_none() && n.helper.is_none(), "{n:?}");
            assert_eq!(n.status, Status::Open, "{n:?}");
        }
        assert!(needs.iter().any(|n| n.status == Status::Agreed));
    }
}
