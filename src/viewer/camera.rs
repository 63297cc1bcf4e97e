//! Where the camera looks from: an oblique overview that frames the whole
//! floor, or straight down for the top view.

use super::{SceneLayout, bounds, world};
use bevy::prelude::*;

/// The floor's centre and a distance that frames all of it.
pub fn framing(layout: &SceneLayout) -> (Vec3, f32) {
    let (x0, y0, x1, y1) = bounds(&layout.0);
    let centre = world((((x0 + x1) / 2.0) as f64, ((y0 + y1) / 2.0) as f64), 0.5);
    let extent = (x1 - x0).max(y1 - y0).max(6.0);
    (centre, extent * 0.7 + 3.0)
}

/// The overview: from the front-left, above, looking at the centre.
pub fn overview(layout: &SceneLayout) -> Transform {
    let (centre, distance) = framing(layout);
    let eye = centre + Vec3::new(-0.06, 0.58, 0.81).normalize() * distance;
    Transform::from_translation(eye).looking_at(centre, Vec3::Y)
}

/// Straight down over the centre (north up).
pub fn top(layout: &SceneLayout) -> Transform {
    let (centre, distance) = framing(layout);
    Transform::from_translation(centre + Vec3::Y * distance * 1.1).looking_at(centre, Vec3::NEG_Z)
}
