//! Parts in flight: a slab of compact records reused as parts leave.

/// Marker for "no part" in `u32` part handles.
pub const NO_PART: u32 = u32::MAX;
/// Marker for "no edge chosen yet".
pub const NO_EDGE: u32 = u32::MAX;
/// Marker for a part of no order.
pub const NO_ORDER: u32 = u32::MAX;

/// One part (a workpiece or an assembled product).
#[derive(Clone, Copy, Debug)]
pub struct Part {
    /// Unique within a run, in creation order (for the event log).
    pub serial: u64,
    pub product: u16,
    /// Buffers it has entered, in a scene whose lots move together.
    pub stage: u16,
    /// Start of its lead time (an assembled part: its oldest component's);
    /// NaN while it waits inside a saturated source.
    pub created: f64,
    /// When this record became work in process (for Little's law).
    pub entered: f64,
    /// Due date, or infinity when the part carries no order.
    pub due: f64,
    /// The outgoing edge drawn for it at its current node (probabilistic routing).
    pub next_edge: u32,
    /// The order it belongs to (index into `Engine::orders`), or [`NO_ORDER`].
    pub order: u32,
}

/// Storage for live parts.
#[derive(Debug, Default)]
pub struct Parts {
    slots: Vec<Part>,
    free: Vec<u32>,
    live: usize,
    serial: u64,
}

impl Parts {
    pub fn create(&mut self, product: u16, created: f64, due: f64) -> u32 {
        self.serial += 1;
        let part = Part {
            serial: self.serial,
            product,
            stage: 0,
            created,
            entered: created,
            due,
            next_edge: NO_EDGE,
            order: NO_ORDER,
        };
        self.live += 1;
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = part;
                i
            }
            None => {
                self.slots.push(part);
                (self.slots.len() - 1) as u32
            }
        }
    }

    pub fn destroy(&mut self, id: u32) {
        self.live -= 1;
        self.free.push(id);
    }

    /// Parts created and not yet destroyed.
    pub fn live(&self) -> usize {
        self.live
    }
}

impl std::ops::Index<u32> for Parts {
    type Output = Part;
    #[inline]
    fn index(&self, id: u32) -> &Part {
        &self.slots[id as usize]
    }
}

impl std::ops::IndexMut<u32> for Parts {
    #[inline]
    fn index_mut(&mut self, id: u32) -> &mut Part {
        &mut self.slots[id as usize]
    }
}
