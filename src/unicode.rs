//! Characters that take no room on screen.

/// Zero-width spaces and joiners, direction marks, word joiners, the byte
/// order mark and the soft hyphen: text made of these (and spaces) looks
/// empty, and one in front of a line does not change how it looks.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}')
}
