//! Charts drawn on the server as SVG: each has a title, a text alternative, and its data as a
//! table, so that a screen reader or a printout loses nothing. Geometry only; the markup is in
//! `templates/chart_*.html`.

use askama::Template;

/// Drawn for a phone's width: the SVG is scaled to its box (`width: 100%`), so a user unit is
/// about a pixel at 390 px wide and the 14-unit labels stay above 12 px once scaled down.
const WIDTH: i64 = 400;
/// Room for the value written after the longest bar.
const VALUE_ROOM: i64 = 100;
const BAR_ROOM: i64 = WIDTH - VALUE_ROOM;
/// A label above its bar: the label's line, the bar, and a gap.
const ROW: i64 = 44;
const BAR_HEIGHT: i64 = 16;
/// About what fits on one line of the drawing at 14 units; longer labels are cut with "…"
/// (the data table under the chart has them whole).
const LABEL_CHARS: usize = 50;

/// One labelled value: `value` orders the bars, `text` is what is written.
pub struct Datum {
    pub label: String,
    pub value: i64,
    pub text: String,
}

pub struct PlacedBar {
    pub label: String,
    /// The label as drawn, cut to fit the drawing's width.
    pub short_label: String,
    pub text: String,
    /// The top of the row: the label's baseline is 15 below, the bar 20 below.
    pub y: i64,
    pub width: i64,
    pub text_x: i64,
}

/// Horizontal bars, one row per datum, each under its label.
#[derive(Template)]
#[template(path = "chart_bars.html")]
pub struct BarChart {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub column: String,
    pub bars: Vec<PlacedBar>,
    pub width: i64,
    pub height: i64,
    pub bar_height: i64,
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

impl BarChart {
    pub fn new(id: &str, title: &str, column: &str, data: Vec<Datum>) -> BarChart {
        let max = data.iter().map(|d| d.value).max().unwrap_or(0).max(1);
        let summary = if data.is_empty() {
            "Aucune donnée sur la période.".to_owned()
        } else {
            let top = data.iter().max_by_key(|d| d.value).map(|d| d.label.clone());
            format!(
                "{} valeurs ; la plus haute : {}.",
                data.len(),
                top.unwrap_or_default()
            )
        };
        let bars = data
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                let width = if d.value > 0 {
                    (d.value * BAR_ROOM / max).max(1)
                } else {
                    0
                };
                PlacedBar {
                    y: 4 + i as i64 * ROW,
                    text_x: width + 6,
                    width,
                    short_label: short(&d.label),
                    label: d.label,
                    text: d.text,
                }
            })
            .collect::<Vec<_>>();
        BarChart {
            id: id.to_owned(),
            title: title.to_owned(),
            summary,
            column: column.to_owned(),
            height: 8 + bars.len().max(1) as i64 * ROW,
            bars,
            width: WIDTH,
            bar_height: BAR_HEIGHT,
        }
    }
}

pub struct Series {
    pub name: String,
    /// Dashed, for what is expected rather than what was done.
    pub dashed: bool,
    pub values: Vec<Option<i64>>,
}

pub struct PlacedSeries {
    pub name: String,
    pub dashed: bool,
    pub points: String,
}

pub struct Tick {
    pub label: String,
    pub x: i64,
    pub y: i64,
    /// "start", "middle" or "end": the first and last labels stay inside the drawing.
    pub anchor: &'static str,
}

/// Lines over a common axis (months), with the values as a table.
#[derive(Template)]
#[template(path = "chart_lines.html")]
pub struct LineChart {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub axis: Vec<String>,
    pub series: Vec<PlacedSeries>,
    /// The table: one row per axis point, the series' texts in order.
    pub rows: Vec<(String, Vec<String>)>,
    pub names: Vec<String>,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub width: i64,
    pub height: i64,
}

const LEFT: i64 = 76;
const TOP: i64 = 12;
const PLOT_W: i64 = WIDTH - LEFT - 24;
const PLOT_H: i64 = 200;

impl LineChart {
    pub fn new(
        id: &str,
        title: &str,
        summary: String,
        axis: Vec<String>,
        series: Vec<Series>,
        text: impl Fn(i64) -> String,
    ) -> LineChart {
        let max = series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .copied()
            .max()
            .unwrap_or(0)
            .max(1);
        let steps = (axis.len() as i64 - 1).max(1);
        let x = |i: usize| LEFT + i as i64 * PLOT_W / steps;
        let y = |v: i64| TOP + PLOT_H - v * PLOT_H / max;
        let placed = series
            .iter()
            .map(|s| PlacedSeries {
                name: s.name.clone(),
                dashed: s.dashed,
                points: s
                    .values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| format!("{},{}", x(i), y(v))))
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect();
        let rows = table_rows(&axis, &series, &text);
        let x_ticks = axis_ticks(&axis, x);
        let y_ticks = [0, max / 2, max]
            .into_iter()
            .map(|v| Tick {
                label: text(v),
                x: LEFT - 6,
                y: y(v) + 4,
                anchor: "end",
            })
            .collect();
        LineChart {
            id: id.to_owned(),
            title: title.to_owned(),
            summary,
            names: series.iter().map(|s| s.name.clone()).collect(),
            axis,
            series: placed,
            rows,
            x_ticks,
            y_ticks,
            width: WIDTH,
            height: TOP + PLOT_H + 30,
        }
    }
}

/// The chart's data as a table: one row per axis point, the series' texts in order.
fn table_rows(
    axis: &[String],
    series: &[Series],
    text: &impl Fn(i64) -> String,
) -> Vec<(String, Vec<String>)> {
    axis.iter()
        .enumerate()
        .map(|(i, label)| {
            let cells = series
                .iter()
                .map(|s| {
                    s.values
                        .get(i)
                        .copied()
                        .flatten()
                        .map_or_else(String::new, text)
                })
                .collect();
            (label.clone(), cells)
        })
        .collect()
}

/// Labels under the first, middle and last points of the axis.
fn axis_ticks(axis: &[String], x: impl Fn(usize) -> i64) -> Vec<Tick> {
    let last = axis.len().saturating_sub(1);
    let mut marks: Vec<usize> = vec![0, last / 2, last];
    marks.dedup();
    marks
        .into_iter()
        .filter_map(|i| {
            axis.get(i).map(|label| Tick {
                label: label.clone(),
                x: x(i),
                y: TOP + PLOT_H + 18,
                anchor: match i {
                    0 => "start",
                    i if i == last => "end",
                    _ => "middle",
                },
            })
        })
        .collect()
}

/// A chart as markup, to put in a page (its own template escapes every text it writes).
pub fn markup(chart: &impl Template) -> String {
    chart.render().unwrap_or_else(|error| {
        tracing::error!(%error, "chart not rendered");
        String::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datum(label: &str, value: i64) -> Datum {
        Datum {
            label: label.to_owned(),
            value,
            text: value.to_string(),
        }
    }

    #[test]
    fn bars_are_scaled_to_the_largest_and_zero_draws_nothing() {
        let chart = BarChart::new(
            "c",
            "t",
            "Heures",
            vec![datum("a", 50), datum("b", 100), datum("c", 0)],
        );
        let widths: Vec<i64> = chart.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, vec![BAR_ROOM / 2, BAR_ROOM, 0]);
        assert!(chart.summary.contains("la plus haute : b"));
        let svg = markup(&chart);
        assert!(svg.contains("<title"), "{svg}");
        assert!(svg.contains("<table"), "{svg}");
    }

    #[test]
    fn long_labels_are_cut_in_the_drawing_and_whole_in_the_table() {
        let long = "Mise à disposition par une entreprise de travail temporaire insertion";
        let chart = BarChart::new("c", "t", "h", vec![datum(long, 1)]);
        let drawn = &chart.bars[0].short_label;
        assert_eq!(drawn, "Mise à disposition par une entreprise de travail…");
        assert!(drawn.chars().count() <= LABEL_CHARS);
        let svg = markup(&chart);
        assert!(
            svg.contains(&format!("<th scope=\"row\">{long}</th>")),
            "{svg}"
        );
    }

    #[test]
    fn labels_are_escaped() {
        let chart = BarChart::new("c", "t", "h", vec![datum("<script>", 1)]);
        let svg = markup(&chart);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(
            svg.contains("&#60;script&#62;") || svg.contains("&lt;script&gt;"),
            "{svg}"
        );
    }

    #[test]
    fn lines_skip_missing_points_and_span_the_plot() {
        let chart = LineChart::new(
            "l",
            "t",
            "s".to_owned(),
            vec!["jan".into(), "fév".into(), "mars".into()],
            vec![
                Series {
                    name: "Réalisé".into(),
                    dashed: false,
                    values: vec![Some(0), Some(10), None],
                },
                Series {
                    name: "Attendu".into(),
                    dashed: true,
                    values: vec![Some(0), Some(5), Some(20)],
                },
            ],
            |v| v.to_string(),
        );
        assert_eq!(
            chart.series[0].points,
            format!(
                "{LEFT},{} {},{}",
                TOP + PLOT_H,
                LEFT + PLOT_W / 2,
                TOP + PLOT_H / 2
            )
        );
        assert_eq!(chart.series[1].points.split(' ').count(), 3);
        assert_eq!(chart.rows[2].1, vec![String::new(), "20".to_owned()]);
    }
}
