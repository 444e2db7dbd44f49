//! `--redact-names`: no partner's and no helper's name anywhere in the export, free text
//! included ("Sam helps" becomes "Partner B helps"), and nothing private at all.

use crate::gather::Data;
use closer_core::need_rules::Helper;

/// What a helper from outside the couple is called instead of their name.
pub(crate) const HELPER: &str = "a helper";

/// One character in lower case (the first, where lower case takes several).
fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Each name with what replaces it, longest first so that "Sam Lee" goes before "Sam".
pub(crate) struct Redactor {
    names: Vec<(Vec<char>, String)>,
}

impl Redactor {
    pub(crate) fn new(mut names: Vec<(String, String)>) -> Redactor {
        names.retain(|(n, _)| !n.trim().is_empty());
        names.sort_by_key(|(n, _)| std::cmp::Reverse(n.chars().count()));
        Redactor {
            names: names
                .into_iter()
                .map(|(n, r)| (n.trim().chars().map(lower).collect(), r))
                .collect(),
        }
    }

    /// `s` with every name that stands as a word of its own (any case) replaced.
    pub(crate) fn text(&self, s: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        let lower: Vec<char> = chars.iter().copied().map(lower).collect();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        'outer: while i < chars.len() {
            let starts_word = i == 0 || !chars[i - 1].is_alphanumeric();
            if starts_word {
                for (name, with) in &self.names {
                    let end = i + name.len();
                    if lower.get(i..end) == Some(name.as_slice())
                        && chars.get(end).is_none_or(|c| !c.is_alphanumeric())
                    {
                        out.push_str(with);
                        i = end;
                        continue 'outer;
                    }
                }
            }
            out.push(chars[i]);
            i += 1;
        }
        out
    }

    fn helper(&self, h: &mut Helper) {
        if let Helper::Outside(name) = h {
            *name = HELPER.to_owned();
        }
    }

    fn opt(&self, s: &mut Option<String>) {
        if let Some(t) = s {
            *t = self.text(t);
        }
    }

    /// Redacts every free-text field in `d`, and drops every private record.
    pub(crate) fn apply(&self, d: &mut Data) {
        d.drop_private();
        for n in &mut d.needs {
            n.text = self.text(&n.text);
            n.category = self.text(&n.category);
            self.opt(&mut n.condition);
            self.opt(&mut n.plan);
            if let Some(h) = &mut n.helper {
                self.helper(h);
            }
            if let Some(p) = &mut n.proposal {
                p.plan = self.text(&p.plan);
                if let Some(h) = &mut p.helper {
                    self.helper(h);
                }
            }
            for c in &mut n.history {
                c.what = self.text(&c.what);
            }
        }
        for (_, a) in &mut d.answers {
            a.text = self.text(&a.text);
        }
        for (_, s) in &mut d.sessions {
            self.opt(&mut s.note);
        }
        for (_, x) in &mut d.debriefs {
            self.opt(&mut x.noticed);
            self.opt(&mut x.too_much);
        }
        for h in &mut d.holds {
            h.reason = self.text(&h.reason);
        }
    }

    /// The outside helpers' names in `d`, to redact in free text too.
    pub(crate) fn helpers(d: &Data) -> Vec<String> {
        let mut v = Vec::new();
        for n in &d.needs {
            let proposed = n.proposal.as_ref().and_then(|p| p.helper.as_ref());
            for h in n.helper.iter().chain(proposed) {
                if let Helper::Outside(name) = h {
                    v.push(name.clone());
                }
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_replaced_as_whole_words_in_any_case() {
        let r = Redactor::new(vec![
            ("Sam".into(), "Partner B".into()),
            ("Zoë".into(), "Partner A".into()),
            ("Robin Lee".into(), HELPER.into()),
        ]);
        assert_eq!(
            r.text("Sam helps zoë; SAM's turn"),
            "Partner B helps Partner A; Partner B's turn"
        );
        assert_eq!(r.text("Samuel and sesame"), "Samuel and sesame");
        assert_eq!(r.text("ask Robin Lee or Robin"), "ask a helper or Robin");
    }
}
