//! The Kubernetes CEL libraries that policies use, on top of the cel crate's standard library
//! and extensions: lists, regular expressions, URLs, quantities, IP addresses and CIDRs,
//! semantic versions, sets, formats; and Kyverno's image references.
//!
//! Values of the library types (a quantity, a URL, …) are opaque CEL values; their methods
//! dispatch on the type inside, so that `isLessThan` serves quantities and versions alike.
//! Every failure is an error naming the function, never a silent `false`.

use std::cmp::Ordering;
use std::sync::Arc;

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelOptional, CelString, DYN_TYPE, INT_TYPE, LIST_TYPE,
    STRING_TYPE,
};
use cel::common::value::{CowVal, Val};
use cel::objects::Opaque;
use cel::{DeclarationError, Env, ExecutionError, Value};

mod image;
mod lookup;
mod net;
mod quantity;
mod semver;
mod url;

use self::image::ImageRef;
pub use self::lookup::Lookup;
use self::net::{Cidr, Ip};
use self::quantity::Quantity;
use self::semver::Semver;
use self::url::Url;

/// A library of overloads, as the cel crate's extensions are.
type Extension = fn(&mut Env) -> std::result::Result<(), DeclarationError>;

/// A format's validator: the problems with a text (none: valid).
type Validate = fn(&str) -> Vec<String>;

/// An environment as Kubernetes builds it.
pub fn kubernetes_env() -> Env {
    let mut env = Env::stdlib();
    let extensions: [Extension; 5] = [
        cel::extensions::strings,
        cel::extensions::lists,
        cel::extensions::math,
        cel::extensions::encoders,
        install,
    ];
    for ext in extensions {
        // A clash with an extension of the cel crate keeps the crate's overload.
        let _ = env.add_extension(ext);
    }
    env
}

type Result<T> = std::result::Result<T, ExecutionError>;
type Out<'b, 'v> = Result<CowVal<'b, 'v>>;

/// Registers the Kubernetes libraries.
pub fn install(env: &mut Env) -> std::result::Result<(), DeclarationError> {
    let s = || vec![STRING_TYPE];
    // Constructors and validity checks.
    env.add_overload("quantity", "quantity(string)", s(), new_quantity)?;
    env.add_overload("isQuantity", "isQuantity(string)", s(), is_quantity)?;
    env.add_overload("url", "url(string)", s(), new_url)?;
    env.add_overload("isURL", "isURL(string)", s(), is_url)?;
    env.add_overload("ip", "ip(string)", s(), new_ip)?;
    env.add_overload("isIP", "isIP(string)", s(), is_ip)?;
    env.add_overload(
        "ip.isCanonical",
        "ip.isCanonical(string)",
        s(),
        ip_is_canonical,
    )?;
    env.add_overload("cidr", "cidr(string)", s(), new_cidr)?;
    env.add_overload("isCIDR", "isCIDR(string)", s(), is_cidr)?;
    env.add_overload("semver", "semver(string)", s(), new_semver)?;
    env.add_overload("isSemver", "isSemver(string)", s(), is_semver)?;
    env.add_overload("image", "image(string)", s(), new_image)?;
    env.add_overload("isImage", "isImage(string)", s(), is_image)?;
    // Sets.
    let ll = || vec![LIST_TYPE, LIST_TYPE];
    env.add_overload(
        "sets.contains",
        "sets.contains(list,list)",
        ll(),
        sets_contains,
    )?;
    env.add_overload(
        "sets.equivalent",
        "sets.equivalent(list,list)",
        ll(),
        sets_equivalent,
    )?;
    env.add_overload(
        "sets.intersects",
        "sets.intersects(list,list)",
        ll(),
        sets_intersects,
    )?;
    // Lists.
    env.add_member_overload("isSorted", "list.isSorted()", LIST_TYPE, vec![], is_sorted)?;
    env.add_member_overload("sum", "list.sum()", LIST_TYPE, vec![], sum)?;
    env.add_member_overload("min", "list.min()", LIST_TYPE, vec![], list_min)?;
    env.add_member_overload("max", "list.max()", LIST_TYPE, vec![], list_max)?;
    env.add_member_overload(
        "indexOf",
        "list.indexOf(dyn)",
        LIST_TYPE,
        vec![DYN_TYPE],
        index_of,
    )?;
    env.add_member_overload(
        "lastIndexOf",
        "list.lastIndexOf(dyn)",
        LIST_TYPE,
        vec![DYN_TYPE],
        last_index_of,
    )?;
    // Regular expressions.
    env.add_member_overload("find", "string.find(string)", STRING_TYPE, s(), find)?;
    env.add_member_overload(
        "findAll",
        "string.findAll(string)",
        STRING_TYPE,
        s(),
        find_all,
    )?;
    env.add_member_overload(
        "findAll",
        "string.findAll(string,int)",
        STRING_TYPE,
        vec![STRING_TYPE, INT_TYPE],
        find_all_n,
    )?;
    // Methods of the library types, dispatched on the value.
    macro_rules! one {
        ($($n:literal),*) => {$({
            fn f<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
                dispatch::one($n, &args[0], &args[1])
            }
            env.add_member_overload($n, concat!("k8s.", $n, "(dyn)"), DYN_TYPE, vec![DYN_TYPE], f)?;
        })*};
    }
    macro_rules! zero {
        ($($n:literal),*) => {$({
            fn f<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
                dispatch::zero($n, &args[0])
            }
            env.add_member_overload($n, concat!("k8s.", $n, "()"), DYN_TYPE, vec![], f)?;
        })*};
    }
    one!("isLessThan", "isGreaterThan", "compareTo", "add", "sub");
    zero!(
        "asInteger",
        "asApproximateFloat",
        "isInteger",
        "sign",
        "getScheme",
        "getHost",
        "getHostname",
        "getPort",
        "getEscapedPath",
        "getQuery",
        "family",
        "isUnspecified",
        "isLoopback",
        "isLinkLocalMulticast",
        "isLinkLocalUnicast",
        "isGlobalUnicast",
        "prefixLength",
        "masked",
        "major",
        "minor",
        "patch",
        "registry",
        "repository",
        "identifier",
        "tag",
        "digest",
        "containsDigest"
    );
    env.add_member_overload("ip", "k8s.cidr.ip()", DYN_TYPE, vec![], method0_ip)?;
    env.add_member_overload(
        "containsIP",
        "k8s.containsIP(dyn)",
        DYN_TYPE,
        vec![DYN_TYPE],
        method1_contains_ip,
    )?;
    env.add_member_overload(
        "containsCIDR",
        "k8s.containsCIDR(dyn)",
        DYN_TYPE,
        vec![DYN_TYPE],
        method1_contains_cidr,
    )?;
    // Formats.
    for (name, _) in FORMATS {
        let id = format!("format.{name}()");
        env.add_overload(
            &format!("format.{name}"),
            &id,
            vec![],
            format_named_fn(name),
        )?;
    }
    env.add_overload("format.named", "format.named(string)", s(), format_named)?;
    env.add_member_overload(
        "Get",
        "kyverno.resource.Get(string,string,string,string)",
        DYN_TYPE,
        vec![STRING_TYPE, STRING_TYPE, STRING_TYPE, STRING_TYPE],
        resource_get,
    )?;
    env.add_member_overload(
        "List",
        "kyverno.resource.List(string,string,string)",
        DYN_TYPE,
        vec![STRING_TYPE, STRING_TYPE, STRING_TYPE],
        resource_list,
    )?;
    env.add_member_overload(
        "validate",
        "k8s.format.validate(string)",
        DYN_TYPE,
        s(),
        format_validate,
    )?;
    Ok(())
}

// ----- helpers -----------------------------------------------------------------------------

fn err(function: &str, message: impl ToString) -> ExecutionError {
    ExecutionError::function_error(function, message)
}

fn value(v: &CowVal<'_, '_>) -> Result<Value> {
    Value::try_from(&**v)
}

fn text<'a>(v: &'a CowVal<'_, '_>, function: &str) -> Result<&'a str> {
    v.downcast_ref::<CelString>()
        .map(|s| s.inner())
        .ok_or_else(|| {
            err(
                function,
                format!("expects a string, not {}", v.get_type().name()),
            )
        })
}

fn owned<'b, 'v>(v: impl Val + 'static) -> Out<'b, 'v> {
    Ok(CowVal::Owned(Box::new(v)))
}

fn from_value<'b, 'v>(v: Value) -> Out<'b, 'v> {
    let boxed: Box<dyn Val> = v.try_into()?;
    Ok(CowVal::Owned(boxed))
}

fn opaque<'b, 'v, T: Opaque>(v: T) -> Out<'b, 'v> {
    from_value(Value::Opaque(Arc::new(v)))
}

fn boolean<'b, 'v>(b: bool) -> Out<'b, 'v> {
    owned(CelBool::from(b))
}

fn int<'b, 'v>(i: i64) -> Out<'b, 'v> {
    owned(CelInt::from(i))
}

fn string<'b, 'v>(s: impl Into<String>) -> Out<'b, 'v> {
    owned(CelString::from(s.into()))
}

/// The library value inside a CEL value, if it is one.
enum Lib {
    Quantity(Quantity),
    Url(Url),
    Ip(Ip),
    Cidr(Cidr),
    Semver(Semver),
    Image(ImageRef),
    Format(&'static str),
}

fn lib(v: &CowVal<'_, '_>) -> Option<Lib> {
    let Ok(Value::Opaque(o)) = value(v) else {
        return None;
    };
    if let Some(q) = o.downcast_ref::<Quantity>() {
        return Some(Lib::Quantity(*q));
    }
    if let Some(u) = o.downcast_ref::<Url>() {
        return Some(Lib::Url(u.clone()));
    }
    if let Some(i) = o.downcast_ref::<Ip>() {
        return Some(Lib::Ip(*i));
    }
    if let Some(c) = o.downcast_ref::<Cidr>() {
        return Some(Lib::Cidr(*c));
    }
    if let Some(s) = o.downcast_ref::<Semver>() {
        return Some(Lib::Semver(s.clone()));
    }
    if let Some(i) = o.downcast_ref::<ImageRef>() {
        return Some(Lib::Image(i.clone()));
    }
    if let Some(f) = o.downcast_ref::<Format>() {
        return Some(Lib::Format(f.0));
    }
    None
}

macro_rules! opaque_type {
    ($t:ty, $name:literal) => {
        impl cel::objects::Opaque for $t {
            fn runtime_type_name(&self) -> &str {
                $name
            }
        }
    };
}
pub(crate) use opaque_type;

// ----- constructors ------------------------------------------------------------------------

fn new_quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let s = text(&args[0], "quantity")?;
    opaque(Quantity::parse(s).map_err(|e| err("quantity", e))?)
}

fn is_quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    boolean(Quantity::parse(text(&args[0], "isQuantity")?).is_ok())
}

fn new_url<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    opaque(Url::parse(text(&args[0], "url")?).map_err(|e| err("url", e))?)
}

fn is_url<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    boolean(Url::parse(text(&args[0], "isURL")?).is_ok())
}

fn new_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    opaque(Ip::parse(text(&args[0], "ip")?).map_err(|e| err("ip", e))?)
}

fn is_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    boolean(Ip::parse(text(&args[0], "isIP")?).is_ok())
}

fn ip_is_canonical<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let s = text(&args[0], "ip.isCanonical")?;
    let ip = Ip::parse(s).map_err(|e| err("ip.isCanonical", e))?;
    boolean(ip.0.to_string() == s)
}

fn new_cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    opaque(Cidr::parse(text(&args[0], "cidr")?).map_err(|e| err("cidr", e))?)
}

fn is_cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    boolean(Cidr::parse(text(&args[0], "isCIDR")?).is_ok())
}

fn new_semver<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    opaque(Semver::parse(text(&args[0], "semver")?).map_err(|e| err("semver", e))?)
}

fn is_semver<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    boolean(Semver::parse(text(&args[0], "isSemver")?).is_ok())
}

fn new_image<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    opaque(ImageRef::parse(text(&args[0], "image")?).map_err(|e| err("image", e))?)
}

fn is_image<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    boolean(ImageRef::parse(text(&args[0], "isImage")?).is_ok())
}

// ----- Kyverno resource lookups ------------------------------------------------------------

fn lookup_of(v: &CowVal<'_, '_>, function: &str) -> Result<Lookup> {
    match value(v)? {
        Value::Opaque(o) => o
            .downcast_ref::<Lookup>()
            .cloned()
            .ok_or_else(|| err(function, "is a method of `resource`")),
        _ => Err(err(function, "is a method of `resource`")),
    }
}

fn resource_get<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let f = "resource.Get";
    let lookup = lookup_of(&args[0], f)?;
    let found = lookup
        .get(
            text(&args[1], f)?,
            text(&args[2], f)?,
            text(&args[3], f)?,
            text(&args[4], f)?,
        )
        .map_err(|e| err(f, e))?;
    from_value(crate::cel::value_of(&found))
}

fn resource_list<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let f = "resource.List";
    let lookup = lookup_of(&args[0], f)?;
    let items = lookup
        .list(text(&args[1], f)?, text(&args[2], f)?, text(&args[3], f)?)
        .map_err(|e| err(f, e))?;
    from_value(crate::cel::value_of(&serde_json::json!({"items": items})))
}

// ----- methods -----------------------------------------------------------------------------

fn method0_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    match lib(&args[0]) {
        Some(Lib::Cidr(c)) => opaque(Ip(c.addr)),
        _ => Err(err("ip", "expects a CIDR")),
    }
}

fn ip_arg(v: &CowVal<'_, '_>, function: &str) -> Result<Ip> {
    match lib(v) {
        Some(Lib::Ip(ip)) => Ok(ip),
        _ => Ip::parse(text(v, function)?).map_err(|e| err(function, e)),
    }
}

fn cidr_arg(v: &CowVal<'_, '_>, function: &str) -> Result<Cidr> {
    match lib(v) {
        Some(Lib::Cidr(c)) => Ok(c),
        _ => Cidr::parse(text(v, function)?).map_err(|e| err(function, e)),
    }
}

fn method1_contains_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let Some(Lib::Cidr(c)) = lib(&args[0]) else {
        return Err(err("containsIP", "expects a CIDR"));
    };
    boolean(c.contains_ip(ip_arg(&args[1], "containsIP")?.0))
}

fn method1_contains_cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let Some(Lib::Cidr(c)) = lib(&args[0]) else {
        return Err(err("containsCIDR", "expects a CIDR"));
    };
    boolean(c.contains_cidr(&cidr_arg(&args[1], "containsCIDR")?))
}

// ----- sets and lists ----------------------------------------------------------------------

fn items(v: &CowVal<'_, '_>) -> Result<Vec<Value>> {
    match value(v)? {
        Value::List(l) => Ok(l.to_vec()),
        _ => Err(err("list", "expects a list")),
    }
}

fn sets_contains<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let (a, b) = (items(&args[0])?, items(&args[1])?);
    boolean(b.iter().all(|x| a.contains(x)))
}

fn sets_equivalent<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let (a, b) = (items(&args[0])?, items(&args[1])?);
    boolean(b.iter().all(|x| a.contains(x)) && a.iter().all(|x| b.contains(x)))
}

fn sets_intersects<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let (a, b) = (items(&args[0])?, items(&args[1])?);
    boolean(b.iter().any(|x| a.contains(x)))
}

fn compare(a: &Value, b: &Value) -> Result<Ordering> {
    a.partial_cmp(b).ok_or_else(|| {
        err(
            "list",
            format!("cannot compare {:?} and {:?}", a.type_of(), b.type_of()),
        )
    })
}

fn is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let l = items(&args[0])?;
    for w in l.windows(2) {
        if compare(&w[0], &w[1])? == Ordering::Greater {
            return boolean(false);
        }
    }
    boolean(true)
}

fn sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let l = items(&args[0])?;
    match l.first() {
        None => int(0),
        Some(Value::Float(_)) => {
            let mut total = 0.0;
            for x in &l {
                match x {
                    Value::Float(f) => total += f,
                    _ => return Err(err("sum", "mixed types")),
                }
            }
            owned(CelDouble::from(total))
        }
        Some(_) => {
            let mut total: i64 = 0;
            for x in &l {
                match x {
                    Value::Int(i) => {
                        total = total
                            .checked_add(*i)
                            .ok_or_else(|| err("sum", "integer overflow"))?;
                    }
                    _ => return Err(err("sum", "expects a list of numbers of one type")),
                }
            }
            int(total)
        }
    }
}

fn extreme<'b, 'v>(args: Vec<CowVal<'b, 'v>>, want: Ordering, name: &str) -> Out<'b, 'v> {
    let l = items(&args[0])?;
    let mut best = l
        .first()
        .ok_or_else(|| err(name, "the list is empty"))?
        .clone();
    for x in &l[1..] {
        if compare(x, &best)? == want {
            best = x.clone();
        }
    }
    from_value(best)
}

fn list_min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    extreme(args, Ordering::Less, "min")
}

fn list_max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    extreme(args, Ordering::Greater, "max")
}

fn index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let (l, x) = (items(&args[0])?, value(&args[1])?);
    int(l.iter().position(|y| *y == x).map_or(-1, |i| i as i64))
}

fn last_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let (l, x) = (items(&args[0])?, value(&args[1])?);
    int(l.iter().rposition(|y| *y == x).map_or(-1, |i| i as i64))
}

// ----- regular expressions -----------------------------------------------------------------

fn regex(pattern: &str, function: &str) -> Result<regex::Regex> {
    regex::Regex::new(pattern)
        .map_err(|e| err(function, format!("invalid regular expression: {e}")))
}

fn find<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let (s, re) = (
        text(&args[0], "find")?,
        regex(text(&args[1], "find")?, "find")?,
    );
    string(re.find(s).map_or("", |m| m.as_str()))
}

fn matches_of(s: &str, re: &regex::Regex, limit: Option<usize>) -> Vec<Box<dyn Val>> {
    re.find_iter(s)
        .take(limit.unwrap_or(usize::MAX))
        .map(|m| Box::new(CelString::from(m.as_str().to_string())) as Box<dyn Val>)
        .collect()
}

fn find_all<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let (s, re) = (
        text(&args[0], "findAll")?,
        regex(text(&args[1], "findAll")?, "findAll")?,
    );
    owned(CelList::from(matches_of(s, &re, None)))
}

fn find_all_n<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let (s, re) = (
        text(&args[0], "findAll")?,
        regex(text(&args[1], "findAll")?, "findAll")?,
    );
    let n = args[2].downcast_ref::<CelInt>().map_or(-1, |i| *i.inner());
    let limit = if n < 0 { None } else { Some(n as usize) };
    owned(CelList::from(matches_of(s, &re, limit)))
}

// ----- formats -----------------------------------------------------------------------------

/// A named format (`format.dns1123Label()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Format(&'static str);
opaque_type!(Format, "kubernetes.NamedFormat");

/// The formats Kubernetes names, with their validators.
const FORMATS: [(&str, Validate); 12] = [
    ("dns1123Label", |s| dns_label(s, 63, false)),
    ("dns1123Subdomain", dns1123_subdomain),
    ("dns1035Label", |s| dns_label(s, 63, true)),
    ("qualifiedName", qualified_name),
    ("dns1123LabelPrefix", |s| {
        dns_label(s.strip_suffix('-').unwrap_or(s), 63, false)
    }),
    ("dns1123SubdomainPrefix", |s| {
        dns1123_subdomain(s.strip_suffix('-').unwrap_or(s))
    }),
    ("dns1035LabelPrefix", |s| {
        dns_label(s.strip_suffix('-').unwrap_or(s), 63, true)
    }),
    ("labelValue", label_value),
    ("uri", |s| {
        if Url::parse(s).is_ok() {
            vec![]
        } else {
            vec!["must be a URI".into()]
        }
    }),
    ("uuid", uuid),
    ("byte", base64),
    ("date", date),
];

fn format_named_fn(name: &str) -> cel::common::functions::Function {
    // Each format's constructor is its own function pointer: overloads take no state.
    macro_rules! ctor {
        ($n:literal) => {{
            fn f<'b, 'v>(_: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
                opaque(Format($n))
            }
            f
        }};
    }
    match name {
        "dns1123Label" => ctor!("dns1123Label"),
        "dns1123Subdomain" => ctor!("dns1123Subdomain"),
        "dns1035Label" => ctor!("dns1035Label"),
        "qualifiedName" => ctor!("qualifiedName"),
        "dns1123LabelPrefix" => ctor!("dns1123LabelPrefix"),
        "dns1123SubdomainPrefix" => ctor!("dns1123SubdomainPrefix"),
        "dns1035LabelPrefix" => ctor!("dns1035LabelPrefix"),
        "labelValue" => ctor!("labelValue"),
        "uri" => ctor!("uri"),
        "uuid" => ctor!("uuid"),
        "byte" => ctor!("byte"),
        _ => ctor!("date"),
    }
}

fn format_named<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let name = text(&args[0], "format.named")?;
    match FORMATS.iter().find(|(n, _)| *n == name) {
        Some((n, _)) => {
            let v: Box<dyn Val> = Value::Opaque(Arc::new(Format(n))).try_into()?;
            owned(CelOptional::of(v))
        }
        None => owned(CelOptional::none()),
    }
}

fn format_validate<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Out<'b, 'v> {
    let Some(Lib::Format(name)) = lib(&args[0]) else {
        return Err(err("validate", "expects a format"));
    };
    let s = text(&args[1], "validate")?;
    let check = FORMATS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f);
    let problems = check.map(|f| f(s)).unwrap_or_default();
    if problems.is_empty() {
        owned(CelOptional::none())
    } else {
        let list: Vec<Box<dyn Val>> = problems
            .into_iter()
            .map(|p| Box::new(CelString::from(p)) as Box<dyn Val>)
            .collect();
        owned(CelOptional::of(Box::new(CelList::from(list))))
    }
}

fn dns_label(s: &str, max: usize, letter_first: bool) -> Vec<String> {
    let mut out = Vec::new();
    if s.len() > max {
        out.push(format!("must be no more than {max} characters"));
    }
    let ok_chars = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    let first_ok = !letter_first || s.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
    if !ok_chars || !first_ok {
        out.push(if letter_first {
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character".into()
        } else {
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character".into()
        });
    }
    out
}

fn dns1123_subdomain(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    if s.len() > 253 {
        out.push("must be no more than 253 characters".into());
    }
    if s.is_empty() || s.split('.').any(|l| !dns_label(l, 253, false).is_empty()) {
        out.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character".into());
    }
    out
}

fn qualified_name(s: &str) -> Vec<String> {
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    let mut out = Vec::new();
    if let Some(p) = prefix {
        out.extend(
            dns1123_subdomain(p)
                .into_iter()
                .map(|e| format!("prefix part {e}")),
        );
    }
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric());
    if !name_ok {
        out.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character".into());
    }
    out
}

fn label_value(s: &str) -> Vec<String> {
    if s.is_empty() {
        return vec![];
    }
    let ok = s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric());
    if ok {
        vec![]
    } else {
        vec!["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character".into()]
    }
}

fn uuid(s: &str) -> Vec<String> {
    let groups: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        vec![]
    } else {
        vec!["does not match the UUID format".into()]
    }
}

fn base64(s: &str) -> Vec<String> {
    let ok = s.len().is_multiple_of(4)
        && s.trim_end_matches('=')
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    if ok {
        vec![]
    } else {
        vec!["invalid base64".into()]
    }
}

fn date(s: &str) -> Vec<String> {
    let parts: Vec<&str> = s.split('-').collect();
    let ok = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        && (1..=12).contains(&parts[1].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&parts[2].parse::<u32>().unwrap_or(0));
    if ok {
        vec![]
    } else {
        vec!["invalid date".into()]
    }
}

/// The methods of the library types, by name.
mod dispatch {
    use super::*;

    /// `a.m(b)` for every method of one argument.
    pub fn one<'b, 'v>(name: &str, a: &CowVal<'_, '_>, b: &CowVal<'_, '_>) -> Out<'b, 'v> {
        match (lib(a), name) {
            (Some(Lib::Quantity(q)), _) => {
                let other = match lib(b) {
                    Some(Lib::Quantity(o)) => o,
                    _ => match b.downcast_ref::<CelInt>() {
                        Some(i) if matches!(name, "add" | "sub") => Quantity::from_int(*i.inner()),
                        _ => return Err(err(name, "expects a quantity")),
                    },
                };
                match name {
                    "isLessThan" => boolean(q.cmp_value(&other) == Ordering::Less),
                    "isGreaterThan" => boolean(q.cmp_value(&other) == Ordering::Greater),
                    "compareTo" => int(q.cmp_value(&other) as i64),
                    "add" => opaque(q.add(&other).map_err(|e| err(name, e))?),
                    "sub" => opaque(q.sub(&other).map_err(|e| err(name, e))?),
                    _ => Err(err(name, "not a method of quantities")),
                }
            }
            (Some(Lib::Semver(v)), "isLessThan" | "isGreaterThan" | "compareTo") => {
                let Some(Lib::Semver(o)) = lib(b) else {
                    return Err(err(name, "expects a semver"));
                };
                let ord = v.cmp_precedence(&o);
                match name {
                    "isLessThan" => boolean(ord == Ordering::Less),
                    "isGreaterThan" => boolean(ord == Ordering::Greater),
                    _ => int(ord as i64),
                }
            }
            _ => Err(err(
                name,
                format!("is not a method of {}", a.get_type().name()),
            )),
        }
    }

    /// `a.m()` for every method without arguments.
    pub fn zero<'b, 'v>(name: &str, a: &CowVal<'_, '_>) -> Out<'b, 'v> {
        match lib(a) {
            Some(Lib::Quantity(q)) => match name {
                "asInteger" => int(q.as_integer().map_err(|e| err(name, e))?),
                "asApproximateFloat" => owned(CelDouble::from(q.as_f64())),
                "isInteger" => boolean(q.as_integer().is_ok()),
                "sign" => int(q.sign()),
                _ => Err(err(name, "is not a method of quantities")),
            },
            Some(Lib::Url(u)) => match name {
                "getScheme" => string(u.scheme.clone()),
                "getHost" => string(u.host.clone()),
                "getHostname" => string(u.hostname()),
                "getPort" => string(u.port.clone()),
                "getEscapedPath" => string(u.path.clone()),
                "getQuery" => {
                    let mut map: std::collections::HashMap<String, Value> =
                        std::collections::HashMap::new();
                    for (k, v) in u.query_pairs() {
                        let entry = map
                            .entry(k)
                            .or_insert_with(|| Value::List(Arc::new(Vec::new())));
                        if let Value::List(l) = entry {
                            Arc::make_mut(l).push(Value::String(Arc::new(v)));
                        }
                    }
                    from_value(Value::from(map))
                }
                _ => Err(err(name, "is not a method of URLs")),
            },
            Some(Lib::Ip(ip)) => match name {
                "family" => int(if ip.0.is_ipv4() { 4 } else { 6 }),
                "isUnspecified" => boolean(ip.0.is_unspecified()),
                "isLoopback" => boolean(ip.0.is_loopback()),
                "isLinkLocalMulticast" => boolean(ip.is_link_local_multicast()),
                "isLinkLocalUnicast" => boolean(ip.is_link_local_unicast()),
                "isGlobalUnicast" => boolean(ip.is_global_unicast()),
                _ => Err(err(name, "is not a method of IP addresses")),
            },
            Some(Lib::Cidr(c)) => match name {
                "prefixLength" => int(i64::from(c.prefix)),
                "masked" => opaque(c.masked()),
                _ => Err(err(name, "is not a method of CIDRs")),
            },
            Some(Lib::Semver(v)) => match name {
                "major" => int(v.major as i64),
                "minor" => int(v.minor as i64),
                "patch" => int(v.patch as i64),
                _ => Err(err(name, "is not a method of semantic versions")),
            },
            Some(Lib::Image(i)) => match name {
                "registry" => string(i.registry.clone()),
                "repository" => string(i.repository.clone()),
                "identifier" => string(i.identifier()),
                "tag" => string(i.tag.clone().unwrap_or_default()),
                "digest" => string(i.digest.clone().unwrap_or_default()),
                "containsDigest" => boolean(i.digest.is_some()),
                _ => Err(err(name, "is not a method of images")),
            },
            _ => Err(err(
                name,
                format!("is not a method of {}", a.get_type().name()),
            )),
        }
    }
}

#[cfg(test)]
mod tests;
