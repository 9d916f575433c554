//! Data goes to stdout, through here; talk goes to stderr (see `Ctx::say`).

use crate::error::usage;
use anyhow::{Context, Result};
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};
use std::path::{Path, PathBuf};

/// Rows a person sees unless they ask for more; the rest are counted.
pub const DEFAULT_ROWS: usize = 50;

/// Buffered stdout; a closed pipe surfaces as an error that `main` treats as
/// a clean exit.
pub fn stdout() -> BufWriter<StdoutLock<'static>> {
    BufWriter::new(io::stdout().lock())
}

/// Whether whoever reads our stdout has gone (the read end of a pipe or
/// socket closed), without writing to it: a command that waits before its
/// next line (`--follow`) ends with its reader, as a write would tell it.
pub fn reader_gone() -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let out = io::stdout();
    let mut fds = [PollFd::new(out.as_fd(), PollFlags::empty())];
    match poll(&mut fds, PollTimeout::ZERO) {
        Ok(n) if n > 0 => fds[0]
            .revents()
            .is_some_and(|r| r.intersects(PollFlags::POLLERR | PollFlags::POLLHUP)),
        _ => false,
    }
}

/// One JSON document on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = stdout();
    let mut json = serde_json::Serializer::with_formatter(&mut out, SafeJson(PrettyFormatter::new()));
    value.serialize(&mut json)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// One JSON value on one line, as `print_json` makes it safe.
pub fn write_json_line<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> Result<()> {
    let mut json = serde_json::Serializer::with_formatter(&mut *out, SafeJson(CompactFormatter));
    value.serialize(&mut json)?;
    Ok(())
}

/// An export's JSON, pretty (as `serde_json::to_string_pretty` writes it):
/// for a terminal (`terminal`), with what a terminal acts on escaped as
/// `print_json` does; else the record byte for byte (see [`export_json_line`]).
pub fn export_json_pretty<T: Serialize + ?Sized>(value: &T, terminal: bool) -> Result<String> {
    if !terminal {
        return Ok(serde_json::to_string_pretty(value)?);
    }
    let mut out = Vec::new();
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        SafeJson(PrettyFormatter::new()),
    ))?;
    String::from_utf8(out).context("JSON is UTF-8")
}

/// One record of an export on one line. An export is data: written to a
/// file or a pipe it holds the stored text byte for byte, whatever it is
/// (`import` and other tools read it, and two exports of the same record
/// compare equal). Only for a terminal (`terminal`) are DEL, C1 and bidi
/// controls written as `\uXXXX`, as `print_json` does: still valid JSON that
/// reads back as the same value, but nothing a terminal acts on.
pub fn export_json_line<T: Serialize + ?Sized>(
    out: &mut impl Write,
    value: &T,
    terminal: bool,
) -> Result<()> {
    match terminal {
        true => write_json_line(out, value),
        false => Ok(serde_json::to_writer(out, value)?),
    }
}

/// JSON whose strings carry no character a terminal acts on: serde_json
/// escapes C0 controls; this also writes DEL, C1 controls and bidi
/// overrides as `\uXXXX`, which any JSON reader decodes to the same text.
/// `incident --json show 1` on a terminal is as safe as `show`.
struct SafeJson<F>(F);

macro_rules! forward {
    ($($name:ident$(($arg:ident: $t:ty))?),* $(,)?) => {$(
        fn $name<W: ?Sized + Write>(&mut self, w: &mut W $(, $arg: $t)?) -> io::Result<()> {
            self.0.$name(w $(, $arg)?)
        }
    )*};
}

impl<F: Formatter> Formatter for SafeJson<F> {
    forward!(
        begin_array,
        end_array,
        begin_array_value(first: bool),
        end_array_value,
        begin_object,
        end_object,
        begin_object_key(first: bool),
        end_object_key,
        begin_object_value,
        end_object_value,
    );

    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        escaped(w, fragment)
    }

    /// JSON kept verbatim (an event's stored details): valid JSON holds
    /// these characters only inside its strings, where `\uXXXX` means the
    /// same.
    fn write_raw_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        escaped(w, fragment)
    }
}

/// `fragment` with what a terminal acts on written as `\uXXXX`.
fn escaped<W: ?Sized + Write>(w: &mut W, fragment: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        if crate::text::needs_escape(c) {
            w.write_all(&fragment.as_bytes()[start..i])?;
            write!(w, "\\u{:04x}", c as u32)?;
            start = i + c.len_utf8();
        }
    }
    w.write_all(&fragment.as_bytes()[start..])
}

/// Colour on stdout: see [`colour_on`].
pub fn colour() -> bool {
    colour_on(io::stdout().is_terminal())
}

/// Colour only on a terminal (`terminal`: the stream written to is one)
/// that says it can show it: never when NO_COLOR is set (no-color.org),
/// nor when TERM is unset or `dumb`. The one rule for tables and prompts.
pub fn colour_on(terminal: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_none_or(|t| t.is_empty() || t == "dumb");
    terminal && !no_color && !dumb
}

/// The terminal's width in columns when stdout is a terminal; `None` on a
/// pipe or a file, where nothing is wrapped or cut.
pub fn width() -> Option<usize> {
    static WIDTH: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    *WIDTH.get_or_init(|| Table::new().width().map(usize::from).filter(|w| *w > 0))
}

/// Text for a table cell or a field: on a terminal, cut past
/// [`text::SHOWN_CHARS`] with a marker pointing to `--json` (so one pasted
/// blob neither fills screens nor stalls the layout); whole elsewhere.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    match width() {
        Some(_) => crate::text::cut(text),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// One `head` + `value` line, wrapped to the terminal at spaces with the
/// value's continuation lines under its first column.
pub fn write_wrapped(out: &mut impl Write, head: &str, value: &str) -> io::Result<()> {
    writeln!(out, "{}", crate::text::wrap(head, &shown(value), width()))
}

/// The widest line a cell is given off a terminal (see [`plain`]).
/// comfy-table holds a width in 16 bits and breaks a wider line itself,
/// but it measures the line it is filling again at every word: time
/// quadratic in the line's length, 10 s to `show` into a file an entry of
/// 330 kB of words.
const WIDEST: usize = 60_000;

/// A borderless table, fitted to the terminal's width when there is one.
pub fn table<const N: usize>(headers: [&str; N]) -> Table {
    table_of(&headers)
}

fn table_of(headers: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic);
    let colour = colour();
    table.set_header(headers.iter().map(|h| {
        let cell = Cell::new(h);
        if colour {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
    // Cells carry no padding on the left edge, so output lines up with text.
    if let Some(column) = table.column_mut(0) {
        column.set_padding((0, 1));
    }
    table
}

/// Keeps these columns whole when the terminal is narrow: short codes and
/// dates broken mid-word are unreadable; long free text wraps instead.
pub fn keep_whole(table: &mut Table, columns: &[usize]) {
    for &i in columns {
        if let Some(column) = table.column_mut(i) {
            column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
}

/// Leaves these columns out (a narrow terminal).
pub fn hide(table: &mut Table, columns: &[usize]) {
    for &i in columns {
        if let Some(column) = table.column_mut(i) {
            column.set_constraint(comfy_table::ColumnConstraint::Hidden);
        }
    }
}

/// The colour a severity is shown in: the most severe level stands out.
pub fn severity_cell(name: &str, rank: usize) -> Cell {
    let cell = Cell::new(name);
    if !colour() {
        return cell;
    }
    match rank {
        0 => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        1 => cell.fg(Color::Yellow),
        _ => cell,
    }
}

/// Prints a table; comfy-table leaves trailing spaces on borderless rows.
pub fn print_table(out: &mut impl Write, table: &Table) -> Result<()> {
    print_table_header(out, table).map(drop)
}

/// Prints a table, as [`print_table`], and returns its first line (the
/// header) as laid out, trailing spaces included.
pub fn print_table_header(out: &mut impl Write, table: &Table) -> Result<Option<String>> {
    let mut first = None;
    for line in lines(table) {
        writeln!(out, "{}", line.trim_end())?;
        first.get_or_insert(line);
    }
    Ok(first)
}

/// A table's lines: [`plain`] where it can lay the table out, else
/// comfy-table's own.
fn lines(table: &Table) -> Box<dyn Iterator<Item = String> + '_> {
    match plain(table) {
        Some(lines) => Box::new(lines.into_iter()),
        None => Box::new(table.lines()),
    }
}

/// The texts of `table`'s header and rows, cell by cell, with every line
/// wider than [`WIDEST`] broken at spaces (nothing is cut off a terminal,
/// [`shown`]).
fn texts(table: &Table) -> Vec<Vec<String>> {
    let fit = |text: String| {
        // A line's bytes bound its columns: no character is wider than
        // its UTF-8 length.
        if text.len() <= WIDEST || text.split('\n').all(|line| line.len() <= WIDEST) {
            return text;
        }
        let lines: Vec<String> = text
            .split('\n')
            .map(|line| crate::text::wrap("", line, Some(WIDEST)))
            .collect();
        lines.join("\n")
    };
    table
        .header()
        .into_iter()
        .chain(table.row_iter())
        .map(|row| row.cell_iter().map(|cell| fit(cell.content())).collect())
        .collect()
}

/// The widest line of each of the first `columns` columns of `rows`, as
/// comfy-table measures: at least 1 for a column with a cell, even empty.
fn widest(rows: &[Vec<String>], columns: usize) -> Vec<usize> {
    use unicode_width::UnicodeWidthStr;
    (0..columns)
        .map(|index| {
            rows.iter()
                .filter_map(|row| row.get(index))
                .map(|text| {
                    text.split('\n')
                        .map(|line| line.width())
                        .max()
                        .unwrap_or(0)
                        .max(1)
                })
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// The lines comfy-table prints for `table` off a terminal, laid out here
/// at a fraction of its cost (a fifth of a `list`, BENCHMARKS.md), or
/// `None` where the table is not one this knows to lay out as comfy-table
/// does. Off a terminal comfy-table wraps nothing: each column is as wide
/// as its widest line (at least 1, or a fixed or least width), each cell's
/// lines are padded to it, a space each side but none left of the first
/// column (as [`table`] sets), no borders, and the lines of a cell taller
/// than its neighbours have blank cells beside them. Held to comfy-table's
/// output by a property test. Lines wider than [`WIDEST`] are broken at
/// spaces first ([`texts`]).
fn plain(table: &Table) -> Option<Vec<String>> {
    use comfy_table::{ColumnConstraint, Width};
    use unicode_width::UnicodeWidthStr;
    if table.width().is_some() || table.should_style() {
        return None;
    }
    let rows = texts(table);
    let widest = widest(&rows, table.column_iter().count());
    let mut widths = Vec::new();
    for (index, column) in table.column_iter().enumerate() {
        let padding: u16 = if index == 0 { 1 } else { 2 };
        if column.padding_width() != padding {
            return None;
        }
        // comfy-table holds widths in 16 bits and breaks a wider line.
        let widest = u16::try_from(widest[index]).ok().filter(|w| *w < u16::MAX)?;
        let width = match column.constraint() {
            None | Some(ColumnConstraint::ContentWidth) => widest,
            Some(ColumnConstraint::Absolute(Width::Fixed(fixed))) => fixed.saturating_sub(padding),
            Some(ColumnConstraint::LowerBoundary(Width::Fixed(least))) => {
                widest.max(least.saturating_sub(padding))
            }
            Some(_) => return None,
        }
        .max(1);
        if width < widest {
            return None;
        }
        widths.push(usize::from(width));
    }
    let mut lines = Vec::new();
    for row in &rows {
        let cells: Vec<Vec<&str>> = row.iter().map(|text| text.split('\n').collect()).collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
        for at in 0..height {
            let mut line = String::new();
            for (index, &width) in widths.iter().enumerate() {
                let left = usize::from(index > 0);
                match cells.get(index).map(|lines| lines.get(at)) {
                    Some(Some(text)) => {
                        line.extend(std::iter::repeat_n(' ', left));
                        line.push_str(text);
                        line.extend(std::iter::repeat_n(' ', width - text.width() + 1));
                    }
                    // Below a shorter cell, or where the row has no cell.
                    Some(None) | None => line.extend(std::iter::repeat_n(' ', width + left + 1)),
                }
            }
            lines.push(line);
        }
    }
    Some(lines)
}

/// Rows in each piece of a table too long to hold at once (see
/// [`measure`] and [`print_piece`]).
pub const PIECE_ROWS: usize = 1024;

/// Folds the widest content of each of `table`'s columns, its header
/// included, into `widths`: a first pass over a long table, one piece at a
/// time, measures what the whole table would be laid out with off a
/// terminal ([`plain`]: lines wider than [`WIDEST`] broken first).
pub fn measure(widths: &mut Vec<u16>, table: &Table) {
    let found = widest(&texts(table), table.column_iter().count());
    let found = found.into_iter().map(|w| u16::try_from(w).unwrap_or(u16::MAX));
    if widths.len() < found.len() {
        widths.resize(found.len(), 0);
    }
    for (w, f) in widths.iter_mut().zip(found) {
        *w = (*w).max(f);
    }
}

/// Whether a table of these column widths can be printed in pieces:
/// comfy-table holds a width in 16 bits, and a column as wide as that
/// (a title of 65,535 characters or more) leaves no room for its padding
/// in a fixed width; such a table is printed whole.
pub fn fits_pieces(widths: &[u16]) -> bool {
    widths.iter().all(|w| w.checked_add(2).is_some())
}

/// Prints one piece of a long table at the `widths` [`measure`]d over all
/// of it, its header only when it is the `first`: the pieces line up as
/// the whole table would, without holding every row. Only for output that
/// is not a terminal: there comfy-table gives every column its widest
/// content, which is what the widths say; on a terminal it would also
/// wrap, which depends on every row.
pub fn print_piece(out: &mut impl Write, table: &mut Table, widths: &[u16], first: bool) -> Result<()> {
    for (i, &w) in widths.iter().enumerate() {
        if let Some(column) = table.column_mut(i) {
            let fixed = comfy_table::Width::Fixed(w.saturating_add(column.padding_width()));
            column.set_constraint(comfy_table::ColumnConstraint::Absolute(fixed));
        }
    }
    for line in lines(table).skip(usize::from(!first)) {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Writes a file readable by its owner only (exports and postmortems hold
/// incident details), whole or not at all (see [`write_whole`]); an
/// existing file ends up owner-only too.
pub fn write_private(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    write_whole(path, 0o600, "-o ", write)
}

/// Writes a file others may read (a scraper's, a web server's), whole or
/// not at all (see [`write_whole`]).
pub fn write_shared(path: &Path, bytes: &[u8]) -> Result<()> {
    write_whole(path, 0o644, "", |w| Ok(w.write_all(bytes)?))
}

/// Writes `path` atomically with permissions `mode`: `write` fills a new
/// temporary file beside it (a name no one can have planted a link at),
/// which is synced and renamed into place, so a reader sees the old file
/// or the new one, never half; on any error the temporary file is
/// removed. `flag` is how the user gave the path, for the error.
fn write_whole(
    path: &Path,
    mode: u32,
    flag: &str,
    write: impl FnOnce(&mut BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    let shown = path.display();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| usage(format!("{flag}{shown}: give a file name")))?;
    if path.is_dir() {
        return Err(usage(format!("{flag}{shown} is a directory; give a file name")));
    }
    let result = (|| -> Result<()> {
        // A leading dot and a suffix: node_exporter's textfile collector,
        // for one, reads *.prom only.
        let prefix = format!(".{}.", name.to_string_lossy());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(mode));
        #[cfg(not(unix))]
        let _ = mode;
        let temp = builder.tempfile_in(&dir)?;
        let (file, temp_path) = temp.into_parts();
        let mut file = BufWriter::new(file);
        write(&mut file)?;
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        temp_path.persist(path).map_err(|e| e.error)?;
        Ok(())
    })();
    result.with_context(|| format!("cannot write {shown}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_wider_than_a_table_holds_is_broken_at_spaces_and_the_rest_kept() {
        let wide = "word ".repeat(30_000);
        let mut table = table(["A", "B"]);
        table.force_no_tty();
        table.add_row(vec!["short", &wide]);
        let lines = plain(&table).unwrap();
        assert!(
            lines.len() >= 4 && lines.iter().all(|l| l.len() <= WIDEST + 8),
            "{}",
            lines.len()
        );
        assert!(lines[1].starts_with("short  word word"));
        let words: Vec<&str> = lines[1..].iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(words.len(), 30_001, "short, then every word");
    }

    /// Texts of the parts that move a layout: spaces, line breaks (a cell
    /// taller than its row's others, a break at the end), characters two
    /// columns wide, a combining mark, a tab, and nothing at all.
    fn any_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let parts = prop::sample::select(vec!["a", "word", " ", "\n", "漢字", "e\u{301}", "🙂", "\t", "-"]);
        prop::collection::vec(parts, 0..7).prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The plain layout is comfy-table's, byte for byte, for the tables
        /// `table` makes: any texts, rows shorter or longer than the header,
        /// columns kept whole or given a least width, and the fixed widths
        /// of a table printed in pieces.
        #[test]
        fn the_plain_layout_is_comfy_tables(
            headers in proptest::collection::vec(any_text(), 1..5),
            rows in proptest::collection::vec(proptest::collection::vec(any_text(), 0..6), 0..6),
            whole in proptest::collection::vec(proptest::prelude::any::<bool>(), 6),
            fixed in proptest::option::of(proptest::collection::vec(0u16..4, 6)),
            least in proptest::collection::vec(proptest::option::of(0u16..12), 6),
        ) {
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            let mut table = table_of(&headers);
            table.force_no_tty();
            for row in &rows {
                table.add_row(row.clone());
            }
            let whole: Vec<usize> = (0..6).filter(|&i| whole[i]).collect();
            keep_whole(&mut table, &whole);
            // As `show --follow` keeps room under its columns.
            for (i, least) in least.iter().enumerate() {
                if let (Some(least), Some(column)) = (least, table.column_mut(i)) {
                    let least = comfy_table::Width::Fixed(*least);
                    column.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(least));
                }
            }
            if let Some(extra) = fixed {
                let widths = table.column_max_content_widths();
                for (i, w) in widths.iter().enumerate() {
                    let column = table.column_mut(i).unwrap();
                    let width = comfy_table::Width::Fixed(w + extra[i] + column.padding_width());
                    column.set_constraint(comfy_table::ColumnConstraint::Absolute(width));
                }
            }
            let comfy: Vec<String> = table.lines().collect();
            let plain = plain(&table);
            proptest::prop_assert_eq!(plain, Some(comfy));
        }
    }

    #[test]
    fn a_table_comfy_table_would_wrap_or_hide_is_left_to_it() {
        let mut table = table(["A", "B"]);
        table.force_no_tty();
        table.add_row(vec!["one two three", "x"]);
        assert!(plain(&table).is_some());
        hide(&mut table, &[1]);
        assert!(plain(&table).is_none());
        let mut table = self::table(["A", "B"]);
        table.force_no_tty();
        table.add_row(vec!["one two three", "x"]);
        let narrow = comfy_table::Width::Fixed(5);
        table
            .column_mut(0)
            .unwrap()
            .set_constraint(comfy_table::ColumnConstraint::Absolute(narrow));
        assert!(
            plain(&table).is_none(),
            "narrower than its content: comfy-table breaks it"
        );
        table.set_width(40);
        assert!(
            plain(&table).is_none(),
            "a width: comfy-table fits the table to it"
        );
    }

    #[test]
    fn a_column_at_comfy_tables_widest_is_not_printed_in_pieces() {
        assert!(fits_pieces(&[3, u16::MAX - 2]));
        assert!(!fits_pieces(&[3, u16::MAX - 1]));
    }

    #[test]
    fn a_table_printed_in_pieces_is_the_table_printed_whole() {
        // Widths that grow and shrink from piece to piece, wide and
        // combining characters, an empty cell: the widest of a column may
        // sit in any piece, and every piece must still line up.
        let rows: Vec<[String; 3]> = (0..23)
            .map(|n| {
                [
                    format!("INC-{}", 7u64.pow(n % 9)),
                    ["", "é", "日本語", "checkout-api,search"][n as usize % 4].to_string(),
                    "x".repeat((n as usize * 7) % 31),
                ]
            })
            .chain([[
                "INC-9".to_string(),
                "api".to_string(),
                // Wider than a line is given: broken in every piece alike.
                "word ".repeat(14_000),
            ]])
            .collect();
        let headers = ["KEY", "SERVICES", "TITLE"];
        let mut whole = table(headers);
        for r in &rows {
            whole.add_row(r.clone());
        }
        let mut expected = Vec::new();
        print_table(&mut expected, &whole).unwrap();

        for size in [1, 4, 23, 50] {
            let mut widths = Vec::new();
            for chunk in rows.chunks(size) {
                let mut piece = table(headers);
                for r in chunk {
                    piece.add_row(r.clone());
                }
                measure(&mut widths, &piece);
            }
            assert!(fits_pieces(&widths), "{widths:?}");
            let mut got = Vec::new();
            for (n, chunk) in rows.chunks(size).enumerate() {
                let mut piece = table(headers);
                for r in chunk {
                    piece.add_row(r.clone());
                }
                print_piece(&mut got, &mut piece, &widths, n == 0).unwrap();
            }
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(expected.clone()).unwrap(),
                "pieces of {size}"
            );
        }
    }

    #[test]
    fn json_escapes_what_a_terminal_acts_on_and_reads_back_the_same() {
        let text = "a\u{1b}[2J\u{7f}\u{9b}31m\u{202e}é\rz";
        let mut out = Vec::new();
        write_json_line(&mut out, &serde_json::json!({ "t": text })).unwrap();
        let json = String::from_utf8(out).unwrap();
        assert_eq!(json, r#"{"t":"a\u001b[2J\u007f\u009b31m\u202eé\rz"}"#);
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["t"], text);
    }

    #[test]
    fn an_export_is_the_record_byte_for_byte_but_on_a_terminal() {
        // An event's details go verbatim (a RawValue): escaped too.
        let raw = serde_json::value::RawValue::from_string("{\"x\": \"\u{202e}\"}".into()).unwrap();
        let value = serde_json::json!({ "t": "a\u{202e}b\u{2066}c\u{9b}d\u{7f}é", "n": [1, 2], "raw": raw });
        let mut data = Vec::new();
        export_json_line(&mut data, &value, false).unwrap();
        assert_eq!(data, serde_json::to_vec(&value).unwrap());
        assert_eq!(
            export_json_pretty(&value, false).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
        let mut shown = Vec::new();
        export_json_line(&mut shown, &value, true).unwrap();
        let pretty = export_json_pretty(&value, true).unwrap();
        for text in [String::from_utf8(shown).unwrap(), pretty] {
            assert!(!text.chars().any(crate::text::needs_escape), "{text}");
            assert!(text.contains("\\u202e"), "{text}");
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, value);
        }
    }
}
