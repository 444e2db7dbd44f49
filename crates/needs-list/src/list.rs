//! Listing and showing needs: a table per partner on a terminal, tab-separated lines or JSON.

use chrono::{DateTime, NaiveDate, Utc};
use closer_cli::Context;
use closer_cli::output::{self, Format, Mode, Out, Style, View, table};
use closer_core::Result;
use closer_core::ids::Id;
use closer_core::index::{self, Listed};
use closer_core::need_rules::Helper;
use closer_core::needs::{self, Need};
use closer_core::needs::{Importance, Status};
use closer_core::profile::Couple;
use serde::Serialize;

/// A need as the JSON interface shows it (documented in the README).
#[derive(Serialize)]
pub(crate) struct NeedView<'a> {
    id: &'a Id,
    short_id: &'a str,
    owner: &'a str,
    text: &'a str,
    category: &'a str,
    condition: Option<&'a str>,
    importance: Importance,
    status: Status,
    plan: Option<&'a str>,
    helper: Option<String>,
    review: Option<NaiveDate>,
    private: bool,
    created: NaiveDate,
    proposal: Option<ProposalView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<ChangeView<'a>>>,
    #[serde(skip)]
    need: &'a Need,
}

#[derive(Serialize)]
struct ProposalView<'a> {
    plan: &'a str,
    helper: Option<String>,
    review: Option<NaiveDate>,
    by: &'a str,
    date: NaiveDate,
    accepted_by: Vec<&'a str>,
}

#[derive(Serialize)]
struct ChangeView<'a> {
    date: NaiveDate,
    at: DateTime<Utc>,
    by: &'a str,
    change: &'a str,
}

impl<'a> NeedView<'a> {
    pub(crate) fn new(short: &'a str, n: &'a Need, couple: &'a Couple, with_history: bool) -> Self {
        let helper = |h: &Helper| h.describe(|id| couple.name_of(id).to_owned());
        NeedView {
            id: &n.id,
            short_id: short,
            owner: couple.name_of(&n.owner),
            text: &n.text,
            category: &n.category,
            condition: n.condition.as_deref(),
            importance: n.importance,
            status: n.status,
            plan: n.plan.as_deref(),
            helper: n.helper.as_ref().map(helper),
            review: n.review,
            private: n.private,
            created: n.created,
            proposal: n.proposal.as_ref().map(|p| ProposalView {
                plan: &p.plan,
                helper: p.helper.as_ref().map(helper),
                review: p.review,
                by: couple.name_of(&p.by),
                date: p.date,
                accepted_by: p.accepted.iter().map(|a| couple.name_of(a)).collect(),
            }),
            history: with_history.then(|| {
                n.history
                    .iter()
                    .map(|c| ChangeView {
                        date: c.date,
                        at: c.at,
                        by: couple.name_of(&c.by),
                        change: &c.what,
                    })
                    .collect()
            }),
            need: n,
        }
    }
}

/// `needs-list`: the needs shown, each with its shortest unique ID, a table per partner on a
/// terminal. Each need's view is made as it is written: thousands of them are never held at once.
struct NeedList<'a> {
    needs: Vec<Listed<'a>>,
    couple: &'a Couple,
}

impl Serialize for NeedList<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.needs.len()))?;
        for l in &self.needs {
            let n = l.need();
            seq.serialize_element(&NeedView::new(l.short(), &n, self.couple, true))?;
        }
        seq.end()
    }
}

/// From this many needs on, half of the lines are made up on a second thread.
const TWO_THREADS_FROM: usize = 1024;

impl NeedList<'_> {
    /// The plain lines of `needs`, added to `lines`; `review` is room for a date (the second
    /// thread is given everything it needs, so that it allocates nothing of its own).
    fn lines(&self, needs: &[Listed], lines: &mut String, mut review: String) {
        for n in needs {
            review.clear();
            if let Some(d) = n.review {
                closer_core::dates::write_iso(&mut review, d);
            }
            let (category, text) = n.category_and_text();
            output::push_record(
                lines,
                &[
                    n.short(),
                    self.couple.name_of(n.owner),
                    n.status.label(),
                    &category,
                    &review,
                    &text,
                ],
            );
        }
    }
}

impl View for NeedList<'_> {
    fn plain(&self, out: &mut Out) -> Result<()> {
        let half = match self.needs.len() {
            n if n >= TWO_THREADS_FROM => n / 2,
            n => n,
        };
        let (first, second) = self.needs.split_at(half);
        let room = |needs: &[Listed]| String::with_capacity(needs.len() * 100);
        let (mut mine, mut theirs) = (room(first), room(second));
        let room_for_date = || String::with_capacity(10);
        std::thread::scope(|s| {
            if !second.is_empty() {
                let (lines, review) = (&mut theirs, room_for_date());
                s.spawn(move || self.lines(second, lines, review));
            }
            self.lines(first, &mut mine, room_for_date());
        });
        out.raw(&mine)?;
        out.raw(&theirs)
    }

    fn table(&self, out: &mut Out, style: Style) -> Result<()> {
        let needs: Vec<(&str, std::borrow::Cow<Need>)> =
            self.needs.iter().map(|l| (l.short(), l.need())).collect();
        let views: Vec<NeedView> = needs
            .iter()
            .map(|(short, n)| NeedView::new(short, n, self.couple, true))
            .collect();
        if views.is_empty() {
            return out.line("No needs to show. Name one with `needs-list add TEXT --as NAME`, or see ideas with `needs-list suggest`.");
        }
        // One table per partner, in the order of their names.
        let mut owners: Vec<(&str, &str)> = views
            .iter()
            .map(|v| (v.owner, v.need.owner.as_str()))
            .collect();
        owners.sort_unstable();
        owners.dedup();
        for (name, owner) in owners {
            let mine: Vec<&NeedView> = views.iter().filter(|v| v.need.owner == owner).collect();
            out.line(&format!("{name}'s needs"))?;
            let rows: Vec<Vec<String>> = mine
                .iter()
                .map(|v| {
                    let mut plan = v.plan.unwrap_or_default().to_owned();
                    if let Some(h) = &v.helper {
                        plan = format!("{plan} ({h} helps)");
                    }
                    let lock = if v.private { " (private)" } else { "" };
                    let review = v.review.map(|d| d.to_string()).unwrap_or_default();
                    vec![
                        v.short_id.to_owned(),
                        format!("{}{lock}", v.text),
                        format!(
                            "{}, {} importance",
                            v.status.label(),
                            closer_core::word(&v.importance)
                        ),
                        plan,
                        review,
                    ]
                })
                .collect();
            out.line(&table(
                &["id", "need", "status", "agreed", "review"],
                &rows,
                style.width,
                style.color,
            ))?;
        }
        Ok(())
    }
}

// The list's filters, given with no command: the command line, next to what it does.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct ListArgs {
    /// Include needs that are met or retired
    #[arg(long)]
    all: bool,
    /// Only this partner's needs
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Only needs with this status
    #[arg(long, value_parser = closer_cli::word_parser::<Status>())]
    status: Option<Status>,
    /// Only needs in this category
    #[arg(long, value_name = "CATEGORY")]
    category: Option<String>,
    /// Only needs whose review date has come
    #[arg(long)]
    due: bool,
    #[command(flatten)]
    format: Format,
}

/// Which needs to list, checked: a category every library shares, a partner of the couple.
#[derive(Debug, Default)]
struct ListRequest {
    all: bool,
    by: Option<Id>,
    status: Option<Status>,
    category: Option<String>,
    due: bool,
    format: Format,
}

impl ListArgs {
    fn validate(self, couple: &Couple) -> Result<ListRequest> {
        Ok(ListRequest {
            category: self
                .category
                .as_deref()
                .map(needs::check_category)
                .transpose()?,
            by: self
                .by
                .as_deref()
                .map(|n| couple.find(n).map(|p| p.id.clone()))
                .transpose()?,
            all: self.all,
            status: self.status,
            due: self.due,
            format: self.format,
        })
    }
}

pub(crate) fn list(ctx: &Context, args: ListArgs) -> Result<()> {
    let couple = ctx.couple()?;
    let req = args.validate(&couple)?;
    shown(ctx, &couple, &req)
}

/// The needs due for review, one per line: what `review` prints away from a terminal.
pub(crate) fn due(ctx: &Context) -> Result<()> {
    let req = ListRequest {
        due: true,
        format: Format {
            json: false,
            plain: true,
        },
        ..ListRequest::default()
    };
    shown(ctx, &ctx.couple()?, &req)
}

fn shown(ctx: &Context, couple: &Couple, req: &ListRequest) -> Result<()> {
    let viewer = ctx.viewer(couple)?.map(|p| p.id.clone());
    let mode = req.format.mode(ctx.stdout_terminal);
    if mode == Mode::Json {
        let all = needs::load_all(&ctx.store)?;
        let mut listed: Vec<Listed> = all
            .iter()
            .filter(|n| n.visible_to(viewer.as_deref()))
            .map(Listed::of)
            .collect();
        index::shorten(&mut listed);
        return render(ctx, couple, req, mode, listed);
    }
    // Lists without history come from the device-local index where the files are unchanged;
    // a list of what is due looks only at the files of what is due.
    let idx = ctx.needs_index();
    let check = match req.due {
        true => index::Check::DueOn(ctx.today),
        false => index::Check::EveryFile,
    };
    index::listed(
        &ctx.store,
        idx.as_deref(),
        viewer.as_deref(),
        check,
        |listed| render(ctx, couple, req, mode, listed),
    )?
}

/// Writes the needs `req` asks for, in list order.
fn render(
    ctx: &Context,
    couple: &Couple,
    req: &ListRequest,
    mode: Mode,
    mut listed: Vec<Listed>,
) -> Result<()> {
    listed.retain(|n| {
        (req.all || req.status.is_some() || req.due || n.status.is_open())
            && req.by.as_ref().is_none_or(|b| n.owner == b.as_str())
            && req.status.is_none_or(|s| n.status == s)
            && req
                .category
                .as_ref()
                .is_none_or(|c| n.category() == c.as_str())
            && (!req.due || n.due(ctx.today))
    });
    listed.sort_unstable_by(needs::listed_order);
    let view = NeedList {
        needs: listed,
        couple,
    };
    output::render(&mut Out::default(), mode, ctx.style(), &view)
}

/// `show ID`: one need with its whole history; the same text on a terminal or not.
#[derive(Serialize)]
#[serde(transparent)]
struct ShownNeed<'a> {
    view: NeedView<'a>,
    #[serde(skip)]
    couple: &'a Couple,
    #[serde(skip)]
    due: bool,
}

impl View for ShownNeed<'_> {
    fn plain(&self, out: &mut Out) -> Result<()> {
        let (couple, n, short) = (self.couple, self.view.need, self.view.short_id);
        out.line(&format!("{short}  {}", n.text))?;
        out.line(&format!(
            "  whose:      {}{}",
            couple.name_of(&n.owner),
            if n.private { " (private)" } else { "" }
        ))?;
        out.line(&format!(
            "  status:     {} · {} importance · {}",
            n.status.label(),
            closer_core::word(&n.importance),
            n.category
        ))?;
        if let Some(c) = &n.condition {
            out.line(&format!("  condition:  {c}"))?;
        }
        if let Some(p) = &n.plan {
            out.line(&format!("  agreed:     {p}"))?;
        }
        if let Some(h) = &n.helper {
            out.line(&format!(
                "  who helps:  {}",
                h.describe(|id| couple.name_of(id).to_owned())
            ))?;
        }
        if let Some(p) = &n.proposal {
            let mut line = format!("  proposed:   {} (by {}", p.plan, couple.name_of(&p.by));
            if let Some(h) = &p.helper {
                line += &format!("; {} helps", h.describe(|id| couple.name_of(id).to_owned()));
            }
            if let Some(r) = p.review {
                line += &format!("; review {r}");
            }
            out.line(&format!(
                "{line}); agreed once both of you accept it: `needs-list accept {short}`"
            ))?;
        }
        if let Some(r) = n.review {
            out.line(&format!(
                "  review:     {r}{}",
                if self.due { " (due)" } else { "" }
            ))?;
        }
        out.line("  history:")?;
        for c in &n.history {
            out.line(&format!(
                "    {}  {}: {}",
                c.date,
                couple.name_of(&c.by),
                c.what
            ))?;
        }
        Ok(())
    }
}

// `show`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct ShowArgs {
    /// The need's ID (or any unique start of it)
    id: String,
    /// Print JSON: the need with its whole history
    #[arg(long)]
    json: bool,
}

pub(crate) fn show(ctx: &Context, args: ShowArgs) -> Result<()> {
    let couple = ctx.couple()?;
    let viewer = ctx.viewer(&couple)?.map(|p| p.id.clone());
    let (short, n) = needs::find_shown(&ctx.store, &args.id, viewer.as_deref())?;
    let view = ShownNeed {
        view: NeedView::new(&short, &n, &couple, true),
        couple: &couple,
        due: n.due(ctx.today),
    };
    ctx.show(Format::json_only(args.json), &view)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{couple, usage_message};

    #[test]
    fn a_list_is_of_a_partner_of_the_couple_and_a_known_category() {
        let c = couple();
        let list = |by: Option<&str>, category: Option<&str>| {
            ListArgs {
                by: by.map(Into::into),
                category: category.map(Into::into),
                ..ListArgs::default()
            }
            .validate(&c)
        };
        let ok = list(Some("Sam"), Some(" Emotional")).unwrap();
        assert_eq!(ok.by.as_deref(), Some("idsam"));
        assert_eq!(ok.category.as_deref(), Some("emotional"));
        assert!(usage_message(list(Some("Robin"), None)).contains("the partners are: alex, sam"));
        assert!(usage_message(list(None, Some("feelings"))).contains("use one of"));
    }
}
