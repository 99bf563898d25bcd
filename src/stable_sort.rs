//! A stable sort that tolerates inconsistent comparators: kustomize's resource
//! order and go-yaml's key order are not total orders for every input, and the
//! standard library's sort may panic on such comparators.

/// Sorts `items` stably by `less` with a bottom-up merge sort. When `less` is
/// not a strict weak order the result is some permutation, never a panic.
pub fn merge_sort_by<T: Copy>(items: &mut [T], less: impl Fn(T, T) -> bool) {
    let n = items.len();
    if n < 2 {
        return;
    }
    let mut src: Vec<T> = items.to_vec();
    let mut dst: Vec<T> = items.to_vec();
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                // Take from the right only when strictly smaller: stable.
                if less(src[j], src[i]) {
                    dst[k] = src[j];
                    j += 1;
                } else {
                    dst[k] = src[i];
                    i += 1;
                }
                k += 1;
            }
            dst[k..k + (mid - i)].copy_from_slice(&src[i..mid]);
            k += mid - i;
            dst[k..k + (end - j)].copy_from_slice(&src[j..end]);
            start = end;
        }
        std::mem::swap(&mut src, &mut dst);
        width *= 2;
    }
    items.copy_from_slice(&src);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably() {
        let mut v = [(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (0, 'e')];
        merge_sort_by(&mut v, |a, b| a.0 < b.0);
        assert_eq!(v, [(0, 'e'), (1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
    }

    #[test]
    fn survives_an_inconsistent_comparator() {
        let mut v: Vec<u32> = (0..100).collect();
        merge_sort_by(&mut v, |a, b| (a * 7 + b) % 3 == 0);
        v.sort_unstable();
        assert_eq!(v, (0..100).collect::<Vec<_>>());
    }
}
