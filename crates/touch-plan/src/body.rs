//! `body`: each partner's body map, a region welcome, ask-first or off-limits with an optional
//! note. Every step shown to either partner respects it.

use closer_cli::Context;
use closer_cli::output::Out;
use closer_core::content::Library;
use closer_core::needs::check_text;
use closer_core::touch::{self, BodyMark, Mark};
use closer_core::{Error, Result, word};

// `body`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct BodyArgs {
    /// The region (`touch-plan body --regions` lists them)
    region: Option<String>,
    /// How the region may be touched
    #[arg(value_parser = closer_cli::word_parser::<Mark>())]
    mark: Option<Mark>,
    /// A few words, such as "left side: surgery scar"; goes with a region and its mark
    #[arg(long, requires = "mark")]
    note: Option<String>,
    /// Remove your mark from this region
    #[arg(long, conflicts_with = "mark", requires = "region")]
    clear: bool,
    /// List the regions
    #[arg(long, conflicts_with_all = ["region", "mark", "clear"])]
    regions: bool,
}

/// What `body` does, checked: a region the library names, a note that may be stored.
#[derive(Debug, PartialEq)]
enum BodyRequest<'a> {
    Regions,
    ShowMap,
    Mark {
        region: &'a str,
        mark: Mark,
        note: Option<String>,
    },
    Clear {
        region: &'a str,
    },
}

impl BodyArgs {
    fn validate(self, lib: &Library) -> Result<BodyRequest<'_>> {
        if self.regions {
            return Ok(BodyRequest::Regions);
        }
        let note = self.note.map(|n| check_text("note", &n)).transpose()?;
        let region = self
            .region
            .map(|r| {
                let r = r.trim().to_ascii_lowercase();
                lib.regions
                    .iter()
                    .find(|x| x.id == r)
                    .map(|x| x.id)
                    .ok_or_else(|| {
                        Error::usage(format!(
                            "there is no region {r:?}; `touch-plan body --regions` lists them"
                        ))
                    })
            })
            .transpose()?;
        match (region, self.mark, self.clear) {
            (None, None, false) => Ok(BodyRequest::ShowMap),
            (Some(region), Some(mark), false) => Ok(BodyRequest::Mark { region, mark, note }),
            (Some(region), None, true) => Ok(BodyRequest::Clear { region }),
            _ => Err(Error::usage(
                "give a region and welcome, ask-first or off-limits (or --clear)",
            )),
        }
    }
}

pub(crate) fn run(ctx: &Context, args: BodyArgs) -> Result<()> {
    let lib = ctx.library()?;
    let mut out = Out::default();
    let req = args.validate(lib)?;
    if req == BodyRequest::Regions {
        for r in &lib.regions {
            out.record(&[r.id, r.name])?;
        }
        return Ok(());
    }
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    match req {
        BodyRequest::Regions => unreachable!("the regions are listed above"),
        BodyRequest::ShowMap => {
            let st = touch::load_state(&ctx.store, &me.id)?;
            if st.body.is_empty() {
                return out.line("Your body map is empty: everything is as any step says. Mark a region with `touch-plan body REGION off-limits|ask-first|welcome`.");
            }
            for (r, m) in &st.body {
                out.record(&[r.as_str(), word(&m.mark), m.note.as_deref().unwrap_or("")])?;
            }
            Ok(())
        }
        BodyRequest::Mark {
            region: r,
            mark: m,
            note,
        } => {
            touch::update_state(&ctx.store, &me.id, |st| {
                st.body.insert(
                    r.to_owned(),
                    BodyMark {
                        mark: m,
                        note,
                        extra: Default::default(),
                    },
                );
                Ok(())
            })?;
            closer_cli::say!(
                "Your body map now says {}: {}. Every step shown to either of you respects it.",
                lib.region_name(r),
                word(&m)
            );
            Ok(())
        }
        BodyRequest::Clear { region: r } => {
            touch::update_state(&ctx.store, &me.id, |st| {
                st.body.remove(r);
                Ok(())
            })?;
            closer_cli::say!("Removed your mark on the {}.", lib.region_name(r));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::usage_message;

    #[test]
    fn a_body_mark_is_for_a_region_the_library_names_with_a_note_that_may_be_stored() {
        let lib = Library::builtin();
        let region = lib.regions[0].id;
        let body = |region: Option<&str>, mark: Option<Mark>, note: Option<&str>, clear| {
            BodyArgs {
                region: region.map(Into::into),
                mark,
                note: note.map(Into::into),
                clear,
                regions: false,
            }
            .validate(&lib)
        };
        assert_eq!(body(None, None, None, false).unwrap(), BodyRequest::ShowMap);
        let upper = region.to_ascii_uppercase();
        assert_eq!(
            body(Some(&upper), Some(Mark::OffLimits), Some(" scar "), false).unwrap(),
            BodyRequest::Mark {
                region,
                mark: Mark::OffLimits,
                note: Some("scar".into())
            }
        );
        assert_eq!(
            body(Some(region), None, None, true).unwrap(),
            BodyRequest::Clear { region }
        );
        assert!(
            usage_message(body(Some("elbows"), Some(Mark::Welcome), None, false))
                .contains("`touch-plan body --regions` lists them")
        );
        assert!(
            usage_message(body(Some(region), None, None, false))
                .contains("welcome, ask-first or off-limits")
        );
        assert!(
            usage_message(body(Some(region), Some(Mark::Welcome), Some(" "), false))
                .contains("write a few words")
        );
    }
}
