//! Token ids and the SimHash: every word becomes a `u32` (FNV-1a folded), numbers keep their
//! value under the top bit, and a 64-bit SimHash summarizes a token sequence.

/// Top bit of a token id: the token is a number and the low 31 bits are its value.
pub(crate) const NUMBER: u32 = 1 << 31;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

pub(crate) fn hash_bytes(b: &[u8]) -> u32 {
    let mut h = FNV_OFFSET;
    for &x in b {
        h = (h ^ u64::from(x)).wrapping_mul(FNV_PRIME);
    }
    fold(h)
}

pub(crate) fn hash_word(w: &str) -> u32 {
    hash_bytes(w.as_bytes())
}

/// A 64-bit hash to a word token id (top bit clear).
fn fold(h: u64) -> u32 {
    ((h ^ (h >> 32)) as u32) & !NUMBER
}

/// The key a show slug is indexed under; its own hash space (no clash with word tokens).
pub(crate) fn show_hash(slug: &str) -> u32 {
    let mut h = FNV_OFFSET ^ 0x5348_4f57; // "SHOW"
    for b in slug.trim().bytes() {
        h = (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(FNV_PRIME);
    }
    fold(h)
}

/// The token of a calendar date (month 1-12, day 1-31); its own hash space.
pub(crate) fn date_token(month: u32, day: u32) -> u32 {
    let mut h = FNV_OFFSET ^ 0x4441_5445; // "DATE"
    for b in [month as u8, day as u8] {
        h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }
    fold(h)
}

/// A number token: the value under the top bit, or a hash of it when it does not fit.
pub(crate) fn number_value(n: u64) -> u32 {
    match u32::try_from(n) {
        Ok(n) if n < NUMBER => NUMBER | n,
        _ => NUMBER | hash_word(&n.to_string()),
    }
}

/// A string of ASCII digits to a number token.
pub(crate) fn number(digits: &str) -> u32 {
    let d = digits.trim_start_matches('0');
    if d.is_empty() {
        return NUMBER;
    }
    match d.parse::<u64>() {
        Ok(n) => number_value(n),
        _ => NUMBER | hash_word(d),
    }
}

/// Whether token `t` is a number.
pub(crate) fn is_number(t: u32) -> bool {
    t & NUMBER != 0
}

/// Whether token `t` is a number that reads as a year (1900-2100): years say little about
/// which story it is, so the number rule ignores them.
pub(crate) fn is_year(t: u32) -> bool {
    is_number(t) && (1900..=2100).contains(&(t & !NUMBER))
}

/// Mixes a token pair into 64 well-spread bits (splitmix64 finalizer).
pub(crate) fn mix(a: u32, b: u32) -> u64 {
    let mut z = (u64::from(a) << 32 | u64::from(b)).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Each byte value with its 8 bits spread to the low bit of 8 bytes, to count 8 bit
/// positions with one addition.
const SPREAD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut j = 0;
        while j < 8 {
            t[b] |= ((b as u64 >> j) & 1) << (8 * j);
            j += 1;
        }
        b += 1;
    }
    t
};

/// SimHash (Charikar 2002, as in Manku et al. 2007) over token bigrams (unigrams for a single
/// token), every feature weighted 1: bit i is set when most features have bit i set.
pub(crate) fn simhash(seq: &[u32]) -> u64 {
    let single = [mix(seq.first().copied().unwrap_or(0), 0)];
    let features: &mut dyn Iterator<Item = u64> = match seq {
        [] => return 0,
        [_] => &mut single.iter().copied(),
        _ => &mut seq.windows(2).map(|p| mix(p[0], p[1])),
    };
    // lanes[k] byte j counts the features with bit 8k + j set; flushed before a byte can
    // overflow.
    let mut totals = [0u32; 64];
    let mut lanes = [0u64; 8];
    let mut n = 0u32;
    let flush = |lanes: &mut [u64; 8], totals: &mut [u32; 64]| {
        for (k, lane) in lanes.iter_mut().enumerate() {
            for j in 0..8 {
                totals[8 * k + j] += ((*lane >> (8 * j)) & 0xff) as u32;
            }
            *lane = 0;
        }
    };
    for h in features {
        for (k, lane) in lanes.iter_mut().enumerate() {
            *lane += SPREAD[(h >> (8 * k)) as usize & 0xff];
        }
        n += 1;
        if n % 255 == 0 {
            flush(&mut lanes, &mut totals);
        }
    }
    flush(&mut lanes, &mut totals);
    totals.iter().enumerate().fold(
        0u64,
        |h, (bit, &c)| if 2 * c > n { h | 1 << bit } else { h },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simhash_matches_the_bit_by_bit_definition() {
        let reference = |seq: &[u32]| {
            let feats: Vec<u64> = if seq.len() == 1 {
                vec![mix(seq[0], 0)]
            } else {
                seq.windows(2).map(|p| mix(p[0], p[1])).collect()
            };
            let mut h = 0u64;
            for bit in 0..64 {
                let ones = feats.iter().filter(|f| *f >> bit & 1 == 1).count();
                if 2 * ones > feats.len() {
                    h |= 1 << bit;
                }
            }
            h
        };
        for len in [1usize, 2, 3, 17, 254, 255, 256, 257, 600] {
            let seq: Vec<u32> = (0..len as u32)
                .map(|i| i.wrapping_mul(2_654_435_761))
                .collect();
            assert_eq!(simhash(&seq), reference(&seq), "{len}");
        }
        assert_eq!(simhash(&[]), 0);
    }

    #[test]
    fn numbers_keep_their_value() {
        assert_eq!(number("99999999999999"), number("099999999999999"));
        assert_eq!(number("0042"), NUMBER | 42);
        assert!(is_year(number("2025")) && !is_year(number("3")));
        assert!(is_number(number_value(14_000_000_000)));
    }
}
