//! Kubernetes resource quantities (`resource.Quantity`): `100m`, `1.5Gi`, `2e3`, compared and
//! added exactly, as decimal digits scaled by a power of ten.

use std::cmp::Ordering;

use super::opaque_type;

/// A quantity: `digits × 10^exp`.
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    digits: i128,
    exp: i32,
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_value(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

opaque_type!(Quantity, "kubernetes.Quantity");

const BINARY: [(&str, u32); 6] = [
    ("Ki", 10),
    ("Mi", 20),
    ("Gi", 30),
    ("Ti", 40),
    ("Pi", 50),
    ("Ei", 60),
];
const DECIMAL: [(&str, i32); 9] = [
    ("n", -9),
    ("u", -6),
    ("m", -3),
    ("", 0),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
];

impl Quantity {
    /// Parse Kubernetes' quantity syntax: a signed decimal number and a suffix (binary SI,
    /// decimal SI, or a decimal exponent `e3`/`E-2`).
    pub fn parse(text: &str) -> Result<Quantity, String> {
        let bad = || format!("invalid quantity {text:?}");
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
            .unwrap_or(text.len());
        let (number, suffix) = text.split_at(split);
        let (negative, number) = match number.as_bytes().first() {
            Some(b'-') => (true, &number[1..]),
            Some(b'+') => (false, &number[1..]),
            _ => (false, number),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && fraction.is_empty())
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || whole.len() + fraction.len() > 30
        {
            return Err(bad());
        }
        let mut digits: i128 = format!("{whole}{fraction}").parse().map_err(|_| bad())?;
        let mut exp = -(fraction.len() as i32);
        if let Some((_, shift)) = BINARY.iter().find(|(s, _)| *s == suffix) {
            digits = digits.checked_mul(1i128 << shift).ok_or_else(bad)?;
        } else if let Some((_, e)) = DECIMAL.iter().find(|(s, _)| *s == suffix) {
            exp += e;
        } else if suffix == "E" {
            exp += 18;
        } else if let Some(e) = suffix.strip_prefix(['e', 'E']) {
            let e: i32 = e.parse().map_err(|_| bad())?;
            if e.abs() > 60 {
                return Err(bad());
            }
            exp += e;
        } else {
            return Err(bad());
        }
        if negative {
            digits = -digits;
        }
        Ok(Quantity { digits, exp })
    }

    /// An integer quantity.
    pub fn from_int(i: i64) -> Quantity {
        Quantity {
            digits: i128::from(i),
            exp: 0,
        }
    }

    /// Both at the smaller exponent, if the digits fit.
    fn aligned(&self, other: &Quantity) -> Option<(i128, i128, i32)> {
        let exp = self.exp.min(other.exp);
        let scale = |q: &Quantity| {
            10i128
                .checked_pow((q.exp - exp) as u32)
                .and_then(|p| q.digits.checked_mul(p))
        };
        Some((scale(self)?, scale(other)?, exp))
    }

    /// Compare by value.
    pub fn cmp_value(&self, other: &Quantity) -> Ordering {
        match self.aligned(other) {
            Some((a, b, _)) => a.cmp(&b),
            None => self
                .as_f64()
                .partial_cmp(&other.as_f64())
                .unwrap_or(Ordering::Equal),
        }
    }

    /// The sum.
    pub fn add(&self, other: &Quantity) -> Result<Quantity, String> {
        let (a, b, exp) = self.aligned(other).ok_or("quantity overflow")?;
        Ok(Quantity {
            digits: a.checked_add(b).ok_or("quantity overflow")?,
            exp,
        })
    }

    /// The difference.
    pub fn sub(&self, other: &Quantity) -> Result<Quantity, String> {
        self.add(&Quantity {
            digits: -other.digits,
            exp: other.exp,
        })
    }

    /// The value as an integer, if it is one and fits.
    pub fn as_integer(&self) -> Result<i64, String> {
        let value = if self.exp >= 0 {
            10i128
                .checked_pow(self.exp as u32)
                .and_then(|p| self.digits.checked_mul(p))
        } else {
            let p = 10i128
                .checked_pow((-self.exp) as u32)
                .ok_or("not an integer")?;
            if self.digits % p != 0 {
                return Err("the quantity is not an integer".into());
            }
            Some(self.digits / p)
        };
        value
            .and_then(|v| i64::try_from(v).ok())
            .ok_or_else(|| "the quantity does not fit an int".into())
    }

    /// The value as a float.
    pub fn as_f64(&self) -> f64 {
        self.digits as f64 * 10f64.powi(self.exp)
    }

    /// -1, 0 or 1.
    pub fn sign(&self) -> i64 {
        self.digits.signum() as i64
    }
}
