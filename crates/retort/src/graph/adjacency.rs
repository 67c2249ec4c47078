//! The edge lists of the graph, packed.

/// Edge lists of every node in one allocation (compressed sparse rows): at 10,000
/// revisions one `Vec` per node and list was most of the graph's build time.
#[derive(Debug, Clone, Default)]
pub(super) struct Adjacency {
    /// Node `i`'s list is `items[start[i]..start[i + 1]]`.
    pub(super) start: Vec<usize>,
    pub(super) items: Vec<usize>,
}

impl Adjacency {
    pub(super) fn of(&self, i: usize) -> &[usize] {
        &self.items[self.start[i]..self.start[i + 1]]
    }

    /// The reverse edges of `forward` over `n` nodes, each list in increasing source order.
    pub(super) fn reversed(forward: &Adjacency, n: usize) -> Adjacency {
        let mut start = vec![0usize; n + 1];
        for &to in &forward.items {
            start[to + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut items = vec![0usize; forward.items.len()];
        for from in 0..n {
            for &to in forward.of(from) {
                items[fill[to]] = from;
                fill[to] += 1;
            }
        }
        Adjacency { start, items }
    }
}
