//! `BatchList` reads, compares, prints and serializes exactly like the `Vec` it replaced.

use super::harness::TestTypes;
use super::support::data_batch;
use crate::kraft::BatchList;

#[test]
fn reads_compares_and_serializes_like_a_vec() {
    let mut list = BatchList::new();
    let mut vec = Vec::new();
    assert_eq!(list, BatchList::from(vec.clone()));
    for base in 0..3 {
        list.push(data_batch(base, 1, vec![base as u64]));
        vec.push(data_batch(base, 1, vec![base as u64]));
        assert_eq!(list.as_slice(), vec.as_slice());
        assert_eq!(list, BatchList::from(vec.clone()));
        assert_eq!(format!("{list:?}"), format!("{vec:?}"));
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            serde_json::to_string(&vec).unwrap()
        );
        let back: BatchList<TestTypes> =
            serde_json::from_str(&serde_json::to_string(&list).unwrap()).unwrap();
        assert_eq!(back, list);
        assert_eq!(list.iter().count(), vec.len());
        assert_eq!(list.clone().into_iter().collect::<Vec<_>>(), vec);
    }
    let mut one = BatchList::new();
    one.push(data_batch(7, 1, vec![7]));
    assert!(matches!(one, BatchList::One(_)));
}
