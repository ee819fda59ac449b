//! A chat message as typed: trimmed, not empty, not a novel.

pub const MESSAGE_MAX_CHARS: usize = 4000;
/// Conversation titles come from their first message, cut to this length.
const TITLE_MAX_CHARS: usize = 80;

#[derive(Debug, Clone)]
pub struct MessageText(String);

/// Why a message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageTextError {
    #[error("Type a message first.")]
    Empty,
    #[error("A message can be at most {MESSAGE_MAX_CHARS} characters.")]
    TooLong,
    /// PostgreSQL cannot store NUL in text; no one types it.
    #[error("A message cannot contain NUL characters.")]
    Nul,
}

impl MessageText {
    pub fn parse(text: &str) -> Result<MessageText, MessageTextError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(MessageTextError::Empty);
        }
        if text.chars().count() > MESSAGE_MAX_CHARS {
            return Err(MessageTextError::TooLong);
        }
        if text.contains('\0') {
            return Err(MessageTextError::Nul);
        }
        Ok(MessageText(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A conversation title: the first line, cut at a word near 80 characters.
    pub fn title(&self) -> String {
        // The first line of the user's own words: a quote above them is context.
        let mut lines = self.0.lines().map(str::trim).filter(|l| !l.is_empty());
        let first = lines.clone().next().unwrap_or_default();
        let line = lines.find(|l| !l.starts_with('>')).unwrap_or(first);
        if line.chars().count() <= TITLE_MAX_CHARS {
            return line.to_owned();
        }
        let cut: String = line.chars().take(TITLE_MAX_CHARS).collect();
        let cut = match cut.rfind(' ') {
            Some(at) if at > TITLE_MAX_CHARS / 2 => &cut[..at],
            _ => &cut,
        };
        format!("{}…", cut.trim_end())
    }
}

/// A title a person gives a conversation: trimmed, one line, 1–200 characters.
#[derive(Debug, Clone)]
pub struct ConversationTitle(String);

pub const TITLE_GIVEN_MAX_CHARS: usize = 200;

/// Why a title was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConversationTitleError {
    #[error("A title cannot be empty.")]
    Empty,
    #[error("A title can be at most {TITLE_GIVEN_MAX_CHARS} characters.")]
    TooLong,
    #[error("A title is one line of text.")]
    Control,
}

impl ConversationTitle {
    pub fn parse(title: &str) -> Result<ConversationTitle, ConversationTitleError> {
        let title = title.trim();
        // Only invisible characters (zero-width spaces, joiners, marks) is no title.
        if title
            .chars()
            .all(|c| c.is_whitespace() || crate::unicode::is_invisible(c))
        {
            return Err(ConversationTitleError::Empty);
        }
        if title.chars().count() > TITLE_GIVEN_MAX_CHARS {
            return Err(ConversationTitleError::TooLong);
        }
        if title.chars().any(char::is_control) {
            return Err(ConversationTitleError::Control);
        }
        Ok(ConversationTitle(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_trimmed_and_bounded() {
        assert_eq!(MessageText::parse("  hi \n").unwrap().as_str(), "hi");
        assert!(MessageText::parse(" \n ").is_err());
        assert!(MessageText::parse(&"x".repeat(MESSAGE_MAX_CHARS + 1)).is_err());
        assert!(MessageText::parse("add milk\0").is_err());
    }

    #[test]
    fn a_given_title_is_one_trimmed_line_of_1_to_200_characters() {
        assert_eq!(
            ConversationTitle::parse("  Groceries ").unwrap().as_str(),
            "Groceries"
        );
        assert!(ConversationTitle::parse(" \t ").is_err());
        assert!(ConversationTitle::parse("\u{200b}\u{feff}").is_err());
        assert!(ConversationTitle::parse("a\u{200d}b").is_ok());
        assert!(ConversationTitle::parse("a\nb").is_err());
        assert!(ConversationTitle::parse("nul\0").is_err());
        assert!(ConversationTitle::parse(&"é".repeat(200)).is_ok());
        assert!(ConversationTitle::parse(&"é".repeat(201)).is_err());
    }

    #[test]
    fn a_title_skips_a_quote_above_the_message() {
        let text = MessageText::parse("> delete task 3\n>\n\nWhat did this mean?").unwrap();
        assert_eq!(text.title(), "What did this mean?");
        let quote_only = MessageText::parse("> only a quote").unwrap();
        assert_eq!(quote_only.title(), "> only a quote");
    }

    #[test]
    fn titles_are_the_first_line_cut_at_a_word() {
        let text = MessageText::parse("Add a task\nsecond line").unwrap();
        assert_eq!(text.title(), "Add a task");
        let long = MessageText::parse(&"word ".repeat(40)).unwrap();
        let title = long.title();
        assert!(
            title.ends_with("word…") && title.chars().count() <= 81,
            "{title}"
        );
    }
}
