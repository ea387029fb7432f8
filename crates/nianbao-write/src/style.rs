//! Cell formats shared by the sheets.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

pub const FONT: &str = "宋体";
pub const FONT_SIZE: f64 = 11.0;
pub const TITLE_SIZE: f64 = 16.0;
pub const HEADING_SIZE: f64 = 12.0;
pub const SMALL_SIZE: f64 = 9.0;
/// Number formats of counts and of 万元 amounts.
pub const COUNT_FORMAT: &str = "0";
pub const AMOUNT_FORMAT: &str = "0.00";

const HEADER_FILL: u32 = 0xDDEBF7;
const BLOCK_FILL: u32 = 0xF2F2F2;
const TOTAL_FILL: u32 = 0xFFF2CC;
const BLANK_FILL: u32 = 0xE7E6E6;
const RED: u32 = 0xC00000;
const ORANGE: u32 = 0xC65911;
const GREY: u32 = 0x7F7F7F;
/// Fills of marked cells (the annotated return): Excel's light red with its dark red text, a
/// strong red with white bold text, and orange with bold text.
pub const INVOLVED_FILL: u32 = 0xFFC7CE;
const INVOLVED_FONT: u32 = 0x9C0006;
pub const SUSPECT_FILL: u32 = 0xFF0000;
pub const TIED_FILL: u32 = 0xFFC000;
/// Fill of a template's cells filled in from last year's return.
pub const PREFILLED_FILL: u32 = 0xE2EFDA;

/// How a value cell of the annotated return is marked, weakest first: when several rules mark
/// one cell, the strongest mark shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    /// A template's cell filled in from last year's return (still editable): light green.
    Prefilled,
    /// The cell takes part in a failed rule: light red.
    Involved,
    /// One of several equally likely repairs of a failed rule: orange, bold.
    Tied,
    /// The cell most likely wrong in a failed rule: strong red, white bold text.
    Suspect,
    /// The value could not be read: strong red, white bold text (the text as typed).
    Unreadable,
}

impl Mark {
    pub fn fill(self) -> u32 {
        match self {
            Mark::Prefilled => PREFILLED_FILL,
            Mark::Involved => INVOLVED_FILL,
            Mark::Tied => TIED_FILL,
            Mark::Suspect | Mark::Unreadable => SUSPECT_FILL,
        }
    }
}

/// `base` with the fill and font of `mark`.
pub fn marked(base: &Format, mark: Mark) -> Format {
    let f = base.clone().set_background_color(Color::RGB(mark.fill()));
    match mark {
        Mark::Prefilled => f,
        Mark::Involved => f.set_font_color(Color::RGB(INVOLVED_FONT)),
        Mark::Tied => f.set_bold().set_font_color(Color::Black),
        Mark::Suspect | Mark::Unreadable => f.set_bold().set_font_color(Color::White),
    }
}

fn base() -> Format {
    Format::new().set_font_name(FONT).set_font_size(FONT_SIZE)
}

fn note_wrap() -> Format {
    base()
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
}

fn cell() -> Format {
    base()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
}

fn centred() -> Format {
    cell().set_align(FormatAlign::Center).set_text_wrap()
}

/// Every format the writer uses.
pub struct Styles {
    /// Sheet title: large, bold, centred, no border.
    pub title: Format,
    /// Table heading ("二、主动公开政府信息情况"): bold, left, no border.
    pub heading: Format,
    /// A line of plain text outside tables (notes, summaries).
    pub note: Format,
    pub note_bold: Format,
    /// Block rows of table 2 (第二十条第（一）项).
    pub block: Format,
    /// Header cells: filled, bordered, wrapped, centred.
    pub header: Format,
    /// Small header cells (field labels) and small grey ones (field ids).
    pub header_small: Format,
    pub header_id: Format,
    /// Row labels inside a table: bordered, wrapped, centred.
    pub label: Format,
    /// Left-aligned wrapped text cell (messages, notes).
    pub text: Format,
    /// Left-aligned text cell without wrapping (file names, codes).
    pub text_nowrap: Format,
    /// Text of units outside the totals.
    pub text_muted: Format,
    pub text_error: Format,
    pub text_warning: Format,
    /// Left-aligned wrapped text without borders (lines of text above a table); bold, red.
    pub note_wrap: Format,
    pub note_bold_wrap: Format,
    pub note_error_wrap: Format,
    pub count: Format,
    pub amount: Format,
    /// Unreadable values: the raw text in red.
    pub unreadable: Format,
    pub total_label: Format,
    pub total_count: Format,
    pub total_amount: Format,
    /// The values of `分单位明细`, without borders (its gridlines print instead).
    pub data: DataStyles,
}

/// The cells of the per-unit data sheet. A plain value is written without a format of its own
/// and takes its column's ([`DataStyles::count`], [`DataStyles::amount`]): looking up a cell's
/// format hashes all of it, and that was a third of the time spent writing 2 million values.
/// Column formats show on the empty cells below the table too, hence no borders.
pub struct DataStyles {
    pub count: Format,
    pub amount: Format,
    /// Blank readings that carry a value (a blank total the rules filled in).
    pub blank_count: Format,
    pub blank_amount: Format,
    /// Unreadable values: the raw text in red.
    pub unreadable: Format,
}

impl DataStyles {
    fn new() -> DataStyles {
        let value = || {
            base()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
        };
        let filled = || value().set_background_color(Color::RGB(BLANK_FILL));
        DataStyles {
            count: value().set_num_format(COUNT_FORMAT),
            amount: value().set_num_format(AMOUNT_FORMAT),
            blank_count: filled().set_num_format(COUNT_FORMAT).set_italic(),
            blank_amount: filled().set_num_format(AMOUNT_FORMAT).set_italic(),
            unreadable: value().set_font_color(Color::RGB(RED)),
        }
    }
}

impl Styles {
    pub fn new() -> Styles {
        let header = centred().set_background_color(Color::RGB(HEADER_FILL));
        Styles {
            title: base()
                .set_font_size(TITLE_SIZE)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            heading: base()
                .set_font_size(HEADING_SIZE)
                .set_bold()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::VerticalCenter),
            note: base().set_align(FormatAlign::VerticalCenter),
            note_bold: base().set_bold().set_align(FormatAlign::VerticalCenter),
            block: centred()
                .set_bold()
                .set_background_color(Color::RGB(BLOCK_FILL)),
            header_small: header.clone().set_font_size(SMALL_SIZE),
            header_id: header
                .clone()
                .set_font_size(SMALL_SIZE)
                .set_font_color(Color::RGB(GREY)),
            header,
            label: centred(),
            text: cell().set_text_wrap(),
            text_nowrap: cell(),
            text_muted: cell().set_font_color(Color::RGB(GREY)),
            text_error: cell().set_text_wrap().set_font_color(Color::RGB(RED)),
            text_warning: cell().set_text_wrap().set_font_color(Color::RGB(ORANGE)),
            note_wrap: note_wrap(),
            note_bold_wrap: note_wrap().set_bold(),
            note_error_wrap: note_wrap().set_font_color(Color::RGB(RED)),
            count: centred().set_num_format(COUNT_FORMAT),
            amount: centred().set_num_format(AMOUNT_FORMAT),
            unreadable: centred().set_font_color(Color::RGB(RED)),
            total_label: centred()
                .set_bold()
                .set_background_color(Color::RGB(TOTAL_FILL)),
            total_count: centred()
                .set_bold()
                .set_num_format(COUNT_FORMAT)
                .set_background_color(Color::RGB(TOTAL_FILL)),
            total_amount: centred()
                .set_bold()
                .set_num_format(AMOUNT_FORMAT)
                .set_background_color(Color::RGB(TOTAL_FILL)),
            data: DataStyles::new(),
        }
    }
}
