//! Where columns are on screen: shared by drawing and mouse hit-testing so they agree.

/// Width of the row-number gutter for `rows` rows, including its separator.
pub fn gutter_width(rows: usize) -> u16 {
    let digits = rows.max(1).to_string().len() as u16;
    digits.max(3) + 1
}

/// A column on screen: its visible index, sheet index, x position and width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub visible_index: usize,
    pub col: usize,
    pub x: u16,
    pub width: u16,
}

/// The `visible` columns that fit between `x` and `screen_width`, from visible index `left`
/// on; the last one possibly clipped.
pub fn placed_columns(
    visible: &[usize],
    left: usize,
    width_of: impl Fn(usize) -> u16,
    mut x: u16,
    screen_width: u16,
) -> Vec<Placed> {
    let mut out = Vec::new();
    for (visible_index, &col) in visible.iter().enumerate().skip(left) {
        if x >= screen_width {
            break;
        }
        let width = width_of(col).min(screen_width - x);
        out.push(Placed {
            visible_index,
            col,
            x,
            width,
        });
        x = x.saturating_add(width_of(col)).saturating_add(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_placed_until_the_screen_ends() {
        let placed = placed_columns(&[0, 2, 3], 1, |_| 6, 4, 14);
        assert_eq!(
            placed,
            [
                Placed {
                    visible_index: 1,
                    col: 2,
                    x: 4,
                    width: 6
                },
                Placed {
                    visible_index: 2,
                    col: 3,
                    x: 11,
                    width: 3
                }
            ]
        );
        assert_eq!(gutter_width(8), 4);
        assert_eq!(gutter_width(12_345), 6);
    }
}
