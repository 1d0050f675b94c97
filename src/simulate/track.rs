//! The circuit: a closed layout of straights and constant-radius arcs, with the corners a
//! car must slow for and the x/y outline the page draws.

/// One piece of the layout: a straight, or an arc of constant radius.
#[derive(Debug, Clone, Copy)]
enum Piece {
    Straight(f64),
    /// Radius in metres; positive degrees turn left.
    Arc(f64, f64),
}
use Piece::{Arc, Straight};

/// The circuit, driven clockwise from the start line on the main straight: 13 corners,
/// from a 12° kink taken flat to an 18 m hairpin. Two straight lengths were solved so
/// that the outline closes on itself (a test checks it).
const LAYOUT: [Piece; 27] = [
    Straight(500.0),
    Arc(40.0, -90.0), // T1, heavy braking from top speed
    Straight(200.0),
    Arc(100.0, 30.0), // T2-T3, a fast left-right
    Straight(100.0),
    Arc(100.0, -30.0),
    Straight(450.0),
    Arc(60.0, -90.0), // T4 onto the back straight
    Straight(500.0),
    Arc(400.0, 12.0), // T5-T6, kinks taken flat out
    Straight(120.0),
    Arc(400.0, -12.0),
    Straight(398.09),
    Arc(18.0, -180.0), // T7, the hairpin
    Straight(280.0),
    Arc(110.0, 90.0), // T8-T9, a quick left-right
    Straight(60.0),
    Arc(110.0, -90.0),
    Straight(200.0),
    Arc(35.0, 90.0), // T10-T11, two slow lefts
    Straight(150.0),
    Arc(60.0, 90.0),
    Straight(400.0),
    Arc(30.0, -90.0), // T12
    Straight(308.03),
    Arc(80.0, -90.0), // T13 onto the main straight
    Straight(300.0),
];

/// A piece placed on the plane: where it starts, and how it bends.
#[derive(Debug, Clone, Copy)]
struct Segment {
    /// Lap distance at the start of the piece.
    start: f64,
    x: f64,
    y: f64,
    heading: f64,
    /// 1/radius, positive to the left; 0 on a straight.
    curvature: f64,
}

impl Segment {
    fn point(&self, along: f64) -> (f64, f64) {
        let (h, k) = (self.heading, self.curvature);
        if k == 0.0 {
            (self.x + along * h.cos(), self.y + along * h.sin())
        } else {
            let end = h + k * along;
            (self.x + (end.sin() - h.sin()) / k, self.y - (end.cos() - h.cos()) / k)
        }
    }
}

/// A corner as a driver sees it: where it starts, how long it is, how tight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Corner {
    pub entry_m: f64,
    pub len_m: f64,
    pub radius_m: f64,
    pub left: bool,
}

/// The circuit: x/y in metres, with the start line at the origin heading east.
#[derive(Debug, Clone)]
pub struct Track {
    segments: Vec<Segment>,
    corners: Vec<Corner>,
    length: f64,
}

impl Track {
    /// The built-in circuit, about 5.1 km.
    pub fn circuit() -> Track {
        let (mut x, mut y, mut heading, mut start) = (0.0, 0.0, 0.0_f64, 0.0);
        let mut segments = Vec::with_capacity(LAYOUT.len());
        let mut corners = Vec::new();
        for piece in LAYOUT {
            let (len, curvature) = match piece {
                Straight(len) => (len, 0.0),
                Arc(radius, degrees) => {
                    let len = radius * degrees.to_radians().abs();
                    let left = degrees > 0.0;
                    corners.push(Corner { entry_m: start, len_m: len, radius_m: radius, left });
                    (len, degrees.signum() / radius)
                }
            };
            let seg = Segment { start, x, y, heading, curvature };
            (x, y) = seg.point(len);
            heading += curvature * len;
            start += len;
            segments.push(seg);
        }
        Track { segments, corners, length: start }
    }

    pub fn length_m(&self) -> f64 {
        self.length
    }

    pub fn corners(&self) -> &[Corner] {
        &self.corners
    }

    /// The x/y of a lap distance (any value; it is taken modulo the lap).
    pub fn position(&self, lap_distance_m: f64) -> (f64, f64) {
        let s = lap_distance_m.rem_euclid(self.length);
        let seg = self.segment_at(s);
        seg.point(s - seg.start)
    }

    /// Points every `step_m` metres around the lap, for drawing the outline.
    pub fn outline(&self, step_m: f64) -> Vec<(f64, f64)> {
        let n = (self.length / step_m.max(0.1)).ceil() as usize;
        (0..=n).map(|i| self.position(self.length * i as f64 / n as f64)).collect()
    }

    /// Signed curvature (1/m, positive to the left) at a lap distance in `0..length`.
    pub(super) fn curvature_at(&self, s: f64) -> f64 {
        self.segment_at(s).curvature
    }

    fn segment_at(&self, s: f64) -> &Segment {
        let i = self.segments.partition_point(|seg| seg.start <= s);
        &self.segments[i.saturating_sub(1)]
    }

    pub(super) fn corner_at(&self, s: f64) -> Option<&Corner> {
        self.corners.iter().find(|c| s >= c.entry_m && s < c.entry_m + c.len_m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_circuit_closes_on_itself_and_is_a_few_kilometres_with_a_dozen_corners() {
        let track = Track::circuit();
        let turned: f64 = LAYOUT.iter().map(|p| if let Arc(_, deg) = p { *deg } else { 0.0 }).sum();
        assert!((turned + 360.0).abs() < 1e-9, "turns add up to {turned}°");
        let (x, y) = track.segments.last().map(|s| s.point(track.length - s.start)).unwrap();
        assert!(x.hypot(y) < 0.05, "the lap ends {x:.3}, {y:.3} from where it starts");
        assert!((4_000.0..5_500.0).contains(&track.length_m()), "{} m", track.length_m());
        assert!((10..=14).contains(&track.corners().len()));
    }
}
