//! A flat XML tokenizer for the lean .xlsx reader: the events quick-xml gives as calamine
//! configures it (empty elements expanded to a start and an end, text raw with its entities,
//! comments and processing instructions as events to pass over), over the well-formed subset
//! the reader accepts; anything else is declined. With the attribute iterator, entity decoding
//! and line-end normalisation calamine applies to what it reads.

use std::borrow::Cow;

use memchr::{memchr, memmem};

use super::{Res, declined};

/// Text or an attribute value with XML's five named entities and character references decoded
/// (quick-xml's `unescape`); other entities are declined.
pub(super) fn unescape(raw: &str) -> Res<Cow<'_, str>> {
    let Some(first) = memchr(b'&', raw.as_bytes()) else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut rest = &raw[first..];
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';') else {
            return declined("entity");
        };
        out.push(match &after[..semi] {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            // LibreOffice writes a line break in a string as "&#10;".
            reference => match char_reference(reference) {
                Some(c) => c,
                None => return declined("entity"),
            },
        });
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// Text's line ends as XML 1.0 reads them (quick-xml's `xml10_content`): "\r\n" and a lone "\r"
/// become "\n". Attribute values keep theirs (calamine does not normalise them).
pub(super) fn xml10_line_ends(raw: &str) -> Cow<'_, str> {
    if memchr(b'\r', raw.as_bytes()).is_none() {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            out.push('\n');
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A character reference's character ("#10" → '\n', "#x4E00" → '一') as quick-xml reads it:
/// decimal, or hexadecimal after a lower-case `x`, no sign, not NUL, a Unicode scalar value.
pub(super) fn char_reference(reference: &str) -> Option<char> {
    let number = reference.strip_prefix('#')?;
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.starts_with(['+', '-']) {
        return None;
    }
    let code = u32::from_str_radix(digits, radix).ok()?;
    if code == 0 {
        return None;
    }
    char::from_u32(code)
}

/// The local part of a qualified name ("x:c" → "c").
pub(super) fn local(name: &str) -> &str {
    match name.bytes().rposition(|c| c == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The values of attributes `keys` (exact names), raw; declined if one appears twice or the
/// attributes are malformed.
pub(super) fn attrs_of<'a, const N: usize>(
    raw: &'a str,
    keys: [&str; N],
) -> Res<[Option<&'a str>; N]> {
    let mut out = [None; N];
    for a in Attrs(raw) {
        let (k, v) = a?;
        if let Some(i) = keys.iter().position(|key| *key == k) {
            if out[i].is_some() {
                return declined("attribute twice");
            }
            out[i] = Some(v);
        }
    }
    Ok(out)
}

/// A start tag's attributes: `name="value"` or `name='value'`, raw.
pub(super) struct Attrs<'a>(pub(super) &'a str);

impl<'a> Iterator for Attrs<'a> {
    type Item = Res<(&'a str, &'a str)>;

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.0;
        let b = s.as_bytes();
        // calamine's attribute iterator takes ASCII whitespace (form feed too) between them.
        let start = b.iter().position(|c| !c.is_ascii_whitespace())?;
        self.0 = "";
        let Some(eq) = find(b'=', &b[start..]).map(|i| start + i) else {
            return Some(declined("attribute"));
        };
        let mut key_end = eq;
        while key_end > start && b[key_end - 1].is_ascii_whitespace() {
            key_end -= 1;
        }
        let mut q = eq + 1;
        while q < b.len() && b[q].is_ascii_whitespace() {
            q += 1;
        }
        let quote = match b.get(q) {
            Some(&c @ (b'"' | b'\'')) => c,
            _ => return Some(declined("attribute")),
        };
        let Some(len) = find(quote, &b[q + 1..]) else {
            return Some(declined("attribute"));
        };
        let key = &s[start..key_end];
        let value = &s[q + 1..q + 1 + len];
        if key.is_empty()
            || key.bytes().any(|c| c.is_ascii_whitespace())
            || find(b'<', value.as_bytes()).is_some()
        {
            return Some(declined("attribute"));
        }
        self.0 = &s[q + 2 + len..];
        Some(Ok((key, value)))
    }
}

/// The first `c` in `hay`: most of what is searched here (a value, an attribute, a tag's name)
/// is a few bytes long, shorter than memchr's set-up; longer runs are left to memchr.
pub(super) fn find(c: u8, hay: &[u8]) -> Option<usize> {
    const SHORT: usize = 16;
    match hay.iter().take(SHORT).position(|&b| b == c) {
        Some(i) => Some(i),
        None if hay.len() > SHORT => memchr(c, &hay[SHORT..]).map(|i| i + SHORT),
        None => None,
    }
}

pub(super) fn is_space_byte(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

pub(super) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// One XML event, as quick-xml gives it with empty elements expanded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Tok<'a> {
    /// An element's start: its qualified name and its raw attributes.
    Start {
        name: &'a str,
        attrs: &'a str,
    },
    End(&'a str),
    /// Raw character data between tags (entities not decoded).
    Text(&'a str),
    /// A comment or a processing instruction.
    Other,
    Eof,
}

/// A flat tokenizer over well-formed XML in the subset this reader accepts.
pub(super) struct Tokens<'a> {
    s: &'a str,
    pos: usize,
    /// The end of an empty element, given after its start.
    pending: Option<&'a str>,
    /// Whether the root element has started (before it, comments and processing instructions are
    /// passed over).
    rooted: bool,
}

impl<'a> Tokens<'a> {
    pub(super) fn new(s: &'a str) -> Tokens<'a> {
        Tokens {
            s: s.strip_prefix('\u{feff}').unwrap_or(s),
            pos: 0,
            pending: None,
            rooted: false,
        }
    }

    /// Past the start of the first element whose local name is `local` (how calamine's readers
    /// find their part's root); declined if there is none.
    pub(super) fn skip_to_start(&mut self, local_name: &str) -> Res<()> {
        loop {
            match self.next()? {
                Tok::Start { name, .. } if local(name) == local_name => return Ok(()),
                Tok::Eof => return declined("no root element"),
                _ => {}
            }
        }
    }

    pub(super) fn next(&mut self) -> Res<Tok<'a>> {
        if let Some(name) = self.pending.take() {
            return Ok(Tok::End(name));
        }
        let b = self.s.as_bytes();
        loop {
            let Some(&first) = b.get(self.pos) else {
                return Ok(Tok::Eof);
            };
            if first != b'<' {
                let end = find(b'<', &b[self.pos..]).map_or(b.len(), |i| self.pos + i);
                let text = &self.s[self.pos..end];
                self.pos = end;
                if !self.rooted && text.trim_matches(is_space).is_empty() {
                    continue;
                }
                return Ok(Tok::Text(text));
            }
            match b.get(self.pos + 1) {
                // The declaration, processing instructions and comments: events every loop
                // here passes over, as calamine's do.
                Some(b'?') => {
                    let Some(end) = memmem::find(&b[self.pos..], b"?>") else {
                        return declined("processing instruction");
                    };
                    self.pos += end + 2;
                    if self.rooted {
                        return Ok(Tok::Other);
                    }
                }
                Some(b'!') if b[self.pos..].starts_with(b"<!--") => {
                    let Some(end) = memmem::find(&b[self.pos + 4..], b"-->") else {
                        return declined("unclosed comment");
                    };
                    self.pos += 4 + end + 3;
                    if self.rooted {
                        return Ok(Tok::Other);
                    }
                }
                Some(b'!') => return declined("CDATA or DOCTYPE"),
                Some(b'/') => {
                    let Some(gt) = find(b'>', &b[self.pos..]) else {
                        return declined("unclosed tag");
                    };
                    let name = self.s[self.pos + 2..self.pos + gt].trim_end_matches(is_space);
                    self.pos += gt + 1;
                    if !valid_name(name) {
                        return declined("tag name");
                    }
                    return Ok(Tok::End(name));
                }
                _ => {
                    // The tag's end: the first '>' outside quotes (tags are short: a plain loop).
                    let start = self.pos + 1;
                    let mut quote = 0u8;
                    let mut i = start;
                    let gt = loop {
                        let Some(&c) = b.get(i) else {
                            return declined("unclosed tag");
                        };
                        if quote != 0 {
                            if c == quote {
                                quote = 0;
                            }
                        } else if c == b'>' {
                            break i;
                        } else if c == b'"' || c == b'\'' {
                            quote = c;
                        }
                        i += 1;
                    };
                    let empty = b[gt - 1] == b'/' && gt > start;
                    let inner = &self.s[start..if empty { gt - 1 } else { gt }];
                    let name_end = inner.bytes().position(is_space_byte).unwrap_or(inner.len());
                    let (name, attrs) = inner.split_at(name_end);
                    self.pos = gt + 1;
                    if !valid_name(name) {
                        return declined("tag name");
                    }
                    self.rooted = true;
                    if empty {
                        self.pending = Some(name);
                    }
                    return Ok(Tok::Start { name, attrs });
                }
            }
        }
    }
}

pub(super) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .bytes()
            .any(|c| is_space_byte(c) || matches!(c, b'<' | b'>' | b'/' | b'"' | b'\'' | b'='))
}

#[cfg(test)]
mod tests {
    use super::*;
    fn toks(s: &str) -> Vec<Tok<'_>> {
        let mut x = Tokens::new(s);
        let mut out = Vec::new();
        loop {
            match x.next() {
                Ok(Tok::Eof) => return out,
                Ok(t) => out.push(t),
                Err(_) => panic!("declined: {s}"),
            }
        }
    }

    #[test]
    fn empty_elements_are_a_start_and_an_end() {
        assert_eq!(
            toks(r#"<?xml version="1.0"?><a x="1>2"><b/>t&amp;<c y='/'/></a>"#),
            vec![
                Tok::Start {
                    name: "a",
                    attrs: r#" x="1>2""#
                },
                Tok::Start {
                    name: "b",
                    attrs: ""
                },
                Tok::End("b"),
                Tok::Text("t&amp;"),
                Tok::Start {
                    name: "c",
                    attrs: " y='/'"
                },
                Tok::End("c"),
                Tok::End("a"),
            ]
        );
    }

    #[test]
    fn comments_and_processing_instructions_are_passed_over() {
        assert_eq!(
            toks("<!-- a --><?pi?><a>x<!-- -- y -->z<?pi b?></a>"),
            vec![
                Tok::Start {
                    name: "a",
                    attrs: ""
                },
                Tok::Text("x"),
                Tok::Other,
                Tok::Text("z"),
                Tok::Other,
                Tok::End("a"),
            ]
        );
    }

    #[test]
    fn what_quick_xml_would_read_differently_is_declined() {
        for s in [
            "<a><!-- c </a>",
            "<a><![CDATA[x]]></a>",
            "<!DOCTYPE a><a/>",
            "<a><?pi x</a>",
            "<a",
            "<a x=\"1></a>",
        ] {
            let mut x = Tokens::new(s);
            let mut outcome = Ok(Tok::Eof);
            for _ in 0..10 {
                outcome = x.next();
                if !matches!(outcome, Ok(Tok::Start { .. } | Tok::End(_) | Tok::Text(_))) {
                    break;
                }
            }
            assert!(outcome.is_err(), "{s}");
        }
        assert_eq!(unescape("a&#65;&#x4E00;").ok().unwrap(), "aA一");
        for odd in [
            "&#0;",
            "&#xD800;",
            "&#X41;",
            "&#+65;",
            "&#;",
            "&#x110000;",
            "&nbsp;",
        ] {
            assert!(unescape(odd).is_err(), "{odd}");
        }
        assert_eq!(xml10_line_ends("a\r\nb\rc\r\r\n"), "a\nb\nc\n\n");
        assert_eq!(unescape("a\r\nb").ok().unwrap(), "a\r\nb");
        assert_eq!(unescape("&lt;&amp;&gt;").ok().unwrap(), "<&>");
    }
}
