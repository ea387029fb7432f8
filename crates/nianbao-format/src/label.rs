//! Label normalisation: what two spellings of one official label have in common.

/// Folds a label to a canonical form: full-width ASCII to half-width, every kind of space and
/// line break removed, quotation marks dropped. "（三） 不予\n公开" → "(三)不予公开".
pub fn normalize_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        let ch = fold_width(ch);
        if ch.is_whitespace() || is_invisible(ch) {
            continue;
        }
        if matches!(ch, '"' | '\'' | '“' | '”' | '‘' | '’' | '「' | '」') {
            continue;
        }
        out.push(ch);
    }
    out
}

/// Full-width forms (U+FF01–U+FF5E) to ASCII, the ideographic space to a space.
pub fn fold_width(ch: char) -> char {
    match ch {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch),
        _ => ch,
    }
}

/// Zero-width characters and the byte-order mark, which Word and PDF pastes leave in cells.
pub fn is_invisible(ch: char) -> bool {
    matches!(ch, '\u{200B}'..='\u{200F}' | '\u{FEFF}' | '\u{00AD}')
}

const NUMERALS: &str = "一二三四五六七八九十0123456789";

/// Removes one leading enumerator from a label, normalised or official: "(三)", "（三）",
/// "三、", "3.", "3、", "(3)". The one enumerator stripper of the project.
pub fn strip_enumerator(s: &str) -> &str {
    let is_num = |c: char| NUMERALS.contains(c);
    if let Some(rest) = s.strip_prefix(['(', '（']) {
        let end = rest.find(|c: char| !is_num(c)).unwrap_or(rest.len());
        if end > 0
            && let Some(after) = rest[end..].strip_prefix([')', '）'])
        {
            return after;
        }
        return s;
    }
    let end = s.find(|c: char| !is_num(c)).unwrap_or(s.len());
    if end > 0 {
        let rest = &s[end..];
        for sep in ['、', '.', '．', ',', '，'] {
            if let Some(after) = rest.strip_prefix(sep) {
                return after;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_spaces_and_line_breaks() {
        assert_eq!(normalize_label("（三） 不予\n公开"), "(三)不予公开");
        assert_eq!(normalize_label("结果 维持"), "结果维持");
        assert_eq!(
            normalize_label("3.危及“三安全一稳定”"),
            "3.危及三安全一稳定"
        );
        assert_eq!(normalize_label("\u{3000}自然人\r\n"), "自然人");
        assert_eq!(normalize_label("１２，３４５．６７"), "12,345.67");
    }

    #[test]
    fn strips_one_enumerator() {
        assert_eq!(strip_enumerator("(三)不予公开"), "不予公开");
        assert_eq!(strip_enumerator("三、本年度办理结果"), "本年度办理结果");
        assert_eq!(strip_enumerator("3.其他"), "其他");
        assert_eq!(strip_enumerator("(七)总计"), "总计");
        assert_eq!(strip_enumerator("总计"), "总计");
        assert_eq!(strip_enumerator("(区分处理的)"), "(区分处理的)");
        assert_eq!(strip_enumerator("12345"), "12345");
        // Official labels, before normalisation.
        assert_eq!(strip_enumerator("（一）予以公开"), "予以公开");
        assert_eq!(strip_enumerator("本年新收（件）"), "本年新收（件）");
    }
}
