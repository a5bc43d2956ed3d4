//! Pages of a listing, keyed so that the next page starts after the last one.

use guardian_domain::Page;

use crate::routes::encode_cursor;

pub(crate) fn paged<T>(mut items: Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Page<T> {
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = if more { items.last().map(|i| encode_cursor(&key(i))) } else { None };
    Page { items, next_cursor }
}
