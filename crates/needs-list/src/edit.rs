//! `edit`: the author changes a need's text, category, condition or importance (on a terminal
//! with nothing given, in the editor); the old text stays in the need's history.

use crate::change::{CheckedFields, Fields, change};
use closer_cli::{Context, ask};
use closer_core::content::Library;
use closer_core::need_rules::{self, Action};
use closer_core::needs::{self, check_text};
use closer_core::{Error, Result};

// `edit`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct EditArgs {
    /// The need's ID (or any unique start of it)
    id: String,
    /// New text
    #[arg(long)]
    text: Option<String>,
    #[command(flatten)]
    fields: Fields,
}

/// A change of a need, checked: the new text (or, on a terminal with nothing given, the text
/// to be written in the editor) and fields.
#[derive(Debug)]
struct EditRequest {
    id: String,
    text: NewText,
    fields: CheckedFields,
}

#[derive(Debug, PartialEq)]
enum NewText {
    Same,
    Given(String),
    /// Nothing given on a terminal: the need's text is opened in the editor.
    FromEditor,
}

impl EditArgs {
    fn validate(self, lib: &Library, interactive: bool) -> Result<EditRequest> {
        let nothing = self.text.is_none() && self.fields.is_empty();
        let text = match self.text {
            Some(t) => NewText::Given(check_text("need", &t)?),
            None if nothing && interactive => NewText::FromEditor,
            None if nothing => {
                return Err(Error::usage(
                    "say what to change: --text, --category, --condition or --importance",
                ));
            }
            None => NewText::Same,
        };
        Ok(EditRequest {
            id: self.id,
            text,
            fields: self.fields.validate(lib)?,
        })
    }
}

pub(crate) fn run(ctx: &Context, args: EditArgs) -> Result<()> {
    let EditRequest { id, text, fields } = args.validate(ctx.library()?, ctx.interactive)?;
    let text = match text {
        NewText::Same => None,
        NewText::Given(t) => Some(t),
        NewText::FromEditor => {
            let couple = ctx.require_couple()?;
            let me = ctx.me(&couple)?;
            let n = needs::find(&ctx.store, &id, Some(&me.id))?;
            need_rules::may(&n, &me.id, Action::Edit, &couple)?;
            match ask::editor(
                &n.text,
                &format!("give the new text with `needs-list edit {id} --text TEXT`"),
            )? {
                Some(t) if t.trim() != n.text => Some(check_text("need", &t)?),
                _ => return Err(Error::invalid("nothing changed")),
            }
        }
    };
    change(ctx, &id, |n, me, couple| {
        need_rules::may(n, me, Action::Edit, couple)?;
        let mut what = Vec::new();
        if let Some(t) = text {
            what.push(format!("text was: {}", n.text));
            n.text = t;
        }
        if let Some(c) = fields.category {
            what.push(format!("category {} → {c}", n.category));
            n.category = c;
        }
        if let Some(c) = fields.condition {
            what.push(format!("condition → {c}"));
            n.condition = Some(c);
        }
        if let Some(i) = fields.importance {
            what.push(format!("importance → {}", closer_core::word(&i)));
            n.importance = i;
        }
        Ok(format!("edited: {}", what.join("; ")))
    })?;
    closer_cli::say!("Changed.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::fields;
    use crate::tests::usage_message;

    #[test]
    fn an_edit_says_what_to_change_or_opens_the_editor_on_a_terminal() {
        let lib = Library::builtin();
        let edit = |text: Option<&str>, f: Fields, interactive| {
            EditArgs {
                id: "ab".into(),
                text: text.map(Into::into),
                fields: f,
            }
            .validate(&lib, interactive)
        };
        let nothing = usage_message(edit(None, Fields::default(), false));
        assert!(nothing.contains("say what to change: --text"), "{nothing}");
        assert_eq!(
            edit(None, Fields::default(), true).unwrap().text,
            NewText::FromEditor
        );
        let only_field = edit(None, fields(Some("emotional"), None), false).unwrap();
        assert_eq!(only_field.text, NewText::Same);
        assert_eq!(only_field.fields.category.as_deref(), Some("emotional"));
        assert!(usage_message(edit(Some(" "), Fields::default(), true)).contains("empty"));
        assert!(usage_message(edit(None, fields(Some("x"), None), true)).contains("use one of"));
    }
}
