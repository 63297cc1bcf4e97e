//! Physics preview: the parts on the conveyors as rapier rigid bodies, for
//! demonstrations.
//!
//! Each conveyor becomes a fixed belt surface whose contacts carry the
//! belt's speed as a tangent velocity (a kinematic surface: parts ride it by
//! friction), with side rails, an end stop and a catch tray past its end. A
//! part the event engine puts on a belt appears as a box at the belt's
//! position for it; it rides, queues against the stop while the engine still
//! has it on the belt (colliding with the parts behind), and once the engine
//! has handed it on the stop lets it pass and it drops into the tray, where
//! it stays a few seconds. The engine drives the preview and never reads
//! from it: every KPI stays the event engine's.
//!
//! Deterministic: the preview steps in fixed steps of [`STEP`] seconds of
//! simulated time, in lock-step with the engine (`Engine::advance_to` before
//! every step), so a scene and seed give the same trajectories whatever the
//! frame rate of whoever drives it (rapier's maps hash with a fixed seed).
//! Bit-identity *across platforms* would need rapier's
//! `enhanced-determinism`, which cannot build beside Bevy 0.19 (see the
//! note on `rapier3d` in `Cargo.toml`).

use crate::scene::{Object, Scene};
use crate::sim::{Engine, NodeKind};
use rapier3d::prelude::*;

/// One physics step, in seconds of simulated time.
pub const STEP: f64 = 1.0 / 60.0;
/// Height of the belt surface (the viewer's belt model).
pub const BELT_TOP: f32 = 0.76;
/// Half extents of a part's box (metres).
pub const PART_HALF: Vector = Vector::new(0.08, 0.05, 0.08);
/// The tray's floor sits this far below the belt surface.
const TRAY_DROP: f32 = 0.35;
/// Length of the tray along the belt, past its end.
pub const TRAY_LENGTH: f32 = 0.6;
/// Seconds a part stays in the tray before the next station takes it away.
const TRAY_LINGER: f64 = 3.0;

// What a collider is, in the upper bits of its user data.
const BELT: u128 = 1 << 64;
const STOP: u128 = 2 << 64;
const PART: u128 = 3 << 64;
/// A part the engine has handed on: the end stop lets it through.
const RELEASED: u128 = 1 << 32;

fn kind(data: u128) -> u128 {
    data & (0xff << 64)
}

/// A conveyor in the physics world.
#[derive(Debug)]
struct Belt {
    /// The engine node.
    node: u32,
    from: Vector,
    dir: Vector,
    len: f32,
    speed: f32,
    /// Parts the engine has on this belt: (serial, body).
    riding: Vec<(u64, RigidBodyHandle)>,
}

/// A part the engine has handed on, on its way into the tray.
#[derive(Debug)]
struct Released {
    body: RigidBodyHandle,
    at: f64,
    /// When it came to rest below the belt (in the tray).
    in_tray: Option<f64>,
}

/// Where a catch tray sits (for the viewer to draw): the belt end and the
/// belt's direction, on the floor plan of the physics world.
#[derive(Clone, Copy, Debug)]
pub struct Tray {
    /// The middle of the tray's floor (its top face is 0.02 m above).
    pub floor: Vector,
    pub dir: Vector,
    pub width: f32,
}

/// The physics world of the conveyors, following an engine.
pub struct BeltPreview {
    world: PhysicsWorld,
    belts: Vec<Belt>,
    /// Each belt's surface velocity now (zero while the belt stands still).
    velocities: Vec<Vector>,
    released: Vec<Released>,
    trays: Vec<Tray>,
    time: f64,
}

impl std::fmt::Debug for BeltPreview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BeltPreview")
            .field("belts", &self.belts.len())
            .field("bodies", &self.world.bodies.len())
            .field("time", &self.time)
            .finish()
    }
}

/// The belt surfaces drive the parts; the end stops filter who may pass.
struct Hooks<'a> {
    velocities: &'a [Vector],
}

impl PhysicsHooks for Hooks<'_> {
    fn filter_contact_pair(&self, context: &PairFilterContext) -> Option<SolverFlags> {
        let c = context.colliders;
        let (a, b) = (
            c[context.collider1].user_data,
            c[context.collider2].user_data,
        );
        // Only end stops ask. They hold the parts the engine still has on
        // the belt and ignore everything else.
        let other = if kind(a) == STOP { b } else { a };
        (kind(other) == PART && other & RELEASED == 0).then_some(SolverFlags::COMPUTE_IMPULSES)
    }

    fn modify_solver_contacts(&self, context: &mut ContactModificationContext) {
        let c = context.colliders;
        let (a, b) = (
            c[context.collider1].user_data,
            c[context.collider2].user_data,
        );
        // The tangent velocity is the first body's relative to the second.
        let (belt, sign) = if kind(a) == BELT {
            (a, 1.0)
        } else if kind(b) == BELT {
            (b, -1.0)
        } else {
            return;
        };
        let v = self.velocities[(belt & 0xffff_ffff) as usize] * sign;
        for contact in context.solver_contacts.iter_mut() {
            contact.tangent_velocity = v;
        }
    }
}

/// A fixed box in the world: centre, half extents, the belt direction.
fn fixed_box(centre: Vector, half: Vector, dir: Vector) -> ColliderBuilder {
    let yaw = (-dir.z).atan2(dir.x);
    ColliderBuilder::cuboid(half.x, half.y, half.z)
        .position(Pose::new(centre, Vector::new(0.0, yaw, 0.0)))
        .friction(0.0)
}

impl BeltPreview {
    /// The conveyors of `scene` with the parts `engine` has on them now.
    pub fn new(scene: &Scene, engine: &Engine) -> Self {
        let mut world = PhysicsWorld::new();
        world.integration_parameters.dt = STEP as f32;
        let mut belts = Vec::new();
        let mut trays = Vec::new();
        for o in &scene.objects {
            let Object::Conveyor(c) = o else { continue };
            let Some(node) = engine.nodes.iter().position(|n| n.id == c.id) else {
                continue;
            };
            let from = Vector::new(c.from.0 as f32, BELT_TOP, -(c.from.1 as f32));
            let to = Vector::new(c.to.0 as f32, BELT_TOP, -(c.to.1 as f32));
            let len = from.distance(to).max(0.1);
            let dir = (to - from) / len;
            let side = Vector::new(-dir.z, 0.0, dir.x);
            let half_width = c.width.unwrap_or(0.6) as f32 / 2.0;
            let i = belts.len() as u128;
            let mid = (from + to) / 2.0;
            // The belt surface, driven by its contacts.
            world.colliders.insert(
                fixed_box(
                    mid - Vector::Y * 0.04,
                    Vector::new(len / 2.0, 0.04, half_width),
                    dir,
                )
                .friction(1.0)
                .user_data(BELT | i)
                .active_hooks(ActiveHooks::MODIFY_SOLVER_CONTACTS),
            );
            // Side rails keep the parts on the belt.
            for s in [-1.0, 1.0] {
                world.colliders.insert(fixed_box(
                    mid + side * s * (half_width + 0.02) + Vector::Y * 0.02,
                    Vector::new(len / 2.0, 0.06, 0.02),
                    dir,
                ));
            }
            // The end stop: parts wait there until the engine hands them on.
            world.colliders.insert(
                fixed_box(
                    to + dir * 0.02 + Vector::Y * 0.08,
                    Vector::new(0.02, 0.08, half_width),
                    dir,
                )
                .user_data(STOP | i)
                .active_hooks(ActiveHooks::FILTER_CONTACT_PAIRS),
            );
            // The catch tray past the end: a floor and three walls.
            let floor = to + dir * (TRAY_LENGTH / 2.0) - Vector::Y * (TRAY_DROP + 0.02);
            let tray_half = half_width + 0.06;
            world.colliders.insert(
                fixed_box(floor, Vector::new(TRAY_LENGTH / 2.0, 0.02, tray_half), dir)
                    .friction(0.8),
            );
            world.colliders.insert(fixed_box(
                floor + dir * (TRAY_LENGTH / 2.0) + Vector::Y * 0.12,
                Vector::new(0.02, 0.12, tray_half),
                dir,
            ));
            for s in [-1.0, 1.0] {
                world.colliders.insert(fixed_box(
                    floor + side * s * tray_half + Vector::Y * 0.12,
                    Vector::new(TRAY_LENGTH / 2.0, 0.12, 0.02),
                    dir,
                ));
            }
            trays.push(Tray {
                floor,
                dir,
                width: 2.0 * tray_half,
            });
            belts.push(Belt {
                node: node as u32,
                from,
                dir,
                len,
                speed: c.speed as f32,
                riding: Vec::new(),
            });
        }
        let mut preview = Self {
            world,
            velocities: vec![Vector::ZERO; belts.len()],
            belts,
            released: Vec::new(),
            trays,
            time: engine.now,
        };
        preview.follow(engine);
        preview
    }

    /// Simulated time the preview has reached.
    pub fn time(&self) -> f64 {
        self.time
    }

    /// Runs the engine and the preview together, a step at a time, up to
    /// `until` (or the end of the run). Returns the steps taken.
    pub fn advance(&mut self, engine: &mut Engine, until: f64) -> u64 {
        let until = until.min(engine.end_time());
        let mut steps = 0;
        while !engine.finished && self.time + STEP <= until + 1e-9 {
            let t = self.time + STEP;
            engine.advance_to(t);
            self.follow(engine);
            let hooks = Hooks {
                velocities: &self.velocities,
            };
            self.world.step_with_events(&hooks, &());
            self.time = t;
            self.tidy();
            steps += 1;
        }
        steps
    }

    /// Mirrors the engine's belts: new parts appear, handed-on parts are
    /// released, a stopped belt stands still.
    fn follow(&mut self, engine: &Engine) {
        for (i, belt) in self.belts.iter_mut().enumerate() {
            let NodeKind::Conveyor(c) = &engine.nodes[belt.node as usize].kind else {
                continue;
            };
            self.velocities[i] = if c.stopped_since.is_some() {
                Vector::ZERO
            } else {
                belt.dir * belt.speed
            };
            let on_belt: Vec<u64> = c
                .parts
                .iter()
                .map(|p| engine.parts[p.part].serial)
                .collect();
            // Handed on since the last step: the stop lets them through.
            let world = &mut self.world;
            let released = &mut self.released;
            belt.riding.retain(|&(serial, body)| {
                if on_belt.contains(&serial) {
                    return true;
                }
                for &collider in world.bodies[body].colliders() {
                    world.colliders[collider].user_data |= RELEASED;
                }
                released.push(Released {
                    body,
                    at: engine.now,
                    in_tray: None,
                });
                false
            });
            // New on the belt: a box where the engine has it (the entry,
            // unless the preview starts mid-run).
            let mut positions = None;
            for (k, &serial) in on_belt.iter().enumerate() {
                if belt.riding.iter().any(|&(s, _)| s == serial) {
                    continue;
                }
                let along = positions.get_or_insert_with(|| c.positions(engine.now))[k] as f32;
                let at = belt.from
                    + belt.dir * (along * belt.len).max(PART_HALF.x)
                    + Vector::Y * (PART_HALF.y + 0.002);
                let yaw = (-belt.dir.z).atan2(belt.dir.x);
                let body = self.world.bodies.insert(
                    RigidBodyBuilder::dynamic()
                        .translation(at)
                        .rotation(Vector::new(0.0, yaw, 0.0))
                        .can_sleep(false),
                );
                self.world.colliders.insert_with_parent(
                    ColliderBuilder::cuboid(PART_HALF.x, PART_HALF.y, PART_HALF.z)
                        .density(800.0)
                        .friction(0.8)
                        .user_data(PART),
                    body,
                    &mut self.world.bodies,
                );
                belt.riding.push((serial, body));
            }
        }
    }

    /// Takes parts out of the trays after a while (the next station has
    /// them), and any that fell off the floor.
    fn tidy(&mut self) {
        let now = self.time;
        let world = &mut self.world;
        self.released.retain_mut(|r| {
            let y = world.bodies[r.body].translation().y;
            if y < BELT_TOP - 0.15 {
                r.in_tray.get_or_insert(now);
            }
            let gone =
                y < -1.0 || r.in_tray.is_some_and(|t| now - t >= TRAY_LINGER) || now - r.at > 120.0;
            if gone {
                world.bodies.remove(
                    r.body,
                    &mut world.islands,
                    &mut world.colliders,
                    &mut world.impulse_joints,
                    &mut world.multibody_joints,
                    true,
                );
            }
            !gone
        });
    }

    /// Every part body: position and orientation, belts first, in a stable order.
    pub fn parts(&self) -> Vec<(Vector, Rotation)> {
        self.belts
            .iter()
            .flat_map(|b| b.riding.iter().map(|&(_, h)| h))
            .chain(self.released.iter().map(|r| r.body))
            .map(|h| {
                let b = &self.world.bodies[h];
                (b.translation(), *b.rotation())
            })
            .collect()
    }

    /// Where the catch trays are.
    pub fn trays(&self) -> &[Tray] {
        &self.trays
    }

    /// A hash of every body's exact position and orientation (for tests of
    /// determinism).
    #[cfg(test)]
    pub fn fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (p, q) in self.parts() {
            for v in [p.x, p.y, p.z, q.x, q.y, q.z, q.w] {
                h = (h ^ u64::from(v.to_bits())).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scene(text: &str) -> Scene {
        match crate::scene::parse_scene_str(text) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    /// A saturated source feeding a 5 m belt at 0.5 m/s into a slow machine:
    /// the belt fills up and parts wait at its end.
    const BLOCKED_BELT: &str = r#"Scene(
        name: "belt",
        run: (horizon: Minutes(10), seed: 3, replications: 1),
        products: [Product(id: "p")],
        objects: [
            Source(id: "in", pos: (-1, 0), product: "p"),
            Conveyor(id: "c", from: (0, 0), to: (5, 0), speed: 0.5, spacing: 0.5, accumulating: true),
            Machine(id: "m", pos: (6.5, 0), cycle: Constant(Seconds(20))),
            Sink(id: "out", pos: (8, 0)),
        ],
        flow: [("in", "c"), ("c", "m"), ("m", "out")],
    )"#;

    #[test]
    fn parts_ride_the_belt_queue_at_its_end_and_drop_into_the_tray() {
        let s = scene(BLOCKED_BELT);
        let mut engine = crate::sim::build(&s, 0).unwrap();
        let mut preview = BeltPreview::new(&s, &engine);
        // The first part enters at t = 0 and rides at the belt's speed.
        preview.advance(&mut engine, 4.0);
        let (first, _) = preview.parts()[0];
        assert!(
            (first.x - 2.0).abs() < 0.25,
            "after 4 s at 0.5 m/s: {first}"
        );
        assert!((first.y - (BELT_TOP + PART_HALF.y)).abs() < 0.02, "{first}");
        // After a while the belt is full: parts queue behind the end stop,
        // without overlapping, and handed-on parts lie in the tray.
        let mut in_tray = 0;
        while preview.time() < 200.0 {
            preview.advance(&mut engine, preview.time() + 1.0);
            let parts = preview.parts();
            in_tray = in_tray.max(
                parts
                    .iter()
                    .filter(|(p, _)| p.x > 5.0 && p.x < 5.0 + TRAY_LENGTH && p.y < BELT_TOP - 0.2)
                    .count(),
            );
        }
        assert!(in_tray > 0, "no part reached the tray");
        let mut queued: Vec<f32> = preview
            .parts()
            .iter()
            .filter(|(p, _)| p.y > BELT_TOP && p.x > 3.0 && p.x < 5.0)
            .map(|(p, _)| p.x)
            .collect();
        queued.sort_by(f32::total_cmp);
        assert!(queued.len() >= 3, "{queued:?}");
        assert!(
            *queued.last().unwrap() > 4.8,
            "the head waits at the stop: {queued:?}"
        );
        for w in queued.windows(2) {
            assert!(w[1] - w[0] >= 2.0 * PART_HALF.x - 0.01, "{queued:?}");
        }
    }

    const START: f64 = 8.0 * 3600.0;

    /// Runs the bracket line's belt from [`START`] to `until` in frames of
    /// the given lengths.
    fn bracket(frames: &[f64], until: f64) -> (u64, u64, u64, f64) {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenes/bracket_line.ron"
        ))
        .unwrap();
        let s = scene(&text);
        let mut engine = crate::sim::build(&s, 0).unwrap();
        // Monday 08:00, the first shift under way: the preview starts mid-run.
        engine.advance_to(START);
        let mut preview = BeltPreview::new(&s, &engine);
        let mut k = 0;
        while preview.time() + STEP <= until {
            let next = (preview.time() + frames[k % frames.len()]).min(until);
            preview.advance(&mut engine, next);
            k += 1;
        }
        let t = preview.time();
        (preview.fingerprint(), engine.completions, engine.events, t)
    }

    #[test]
    fn the_preview_is_deterministic_whatever_the_frame_rate() {
        let until = START + 900.0;
        let a = bracket(&[0.5], until);
        let b = bracket(&[0.37, 1.1, 0.05], until);
        assert_eq!(a, bracket(&[0.5], until), "same seed, same frames");
        assert_eq!(a, b, "other frame lengths");
        // The engine is not touched by the preview.
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenes/bracket_line.ron"
        ))
        .unwrap();
        let mut engine = crate::sim::build(&scene(&text), 0).unwrap();
        engine.advance_to(a.3);
        assert_eq!((a.1, a.2), (engine.completions, engine.events));
        assert!(a.1 > 0 && a.0 != bracket(&[0.5], until - 60.0).0, "{a:?}");
    }
}
