use std::sync::Arc;

use cel::{Context, Value};

fn eval(expr: &str) -> Result<Value, String> {
    let env = Arc::new(super::kubernetes_env());
    let program = env.compile(expr).map_err(|e| e.to_string())?;
    program
        .execute(&Context::with_env(env))
        .map_err(|e| e.to_string())
}

fn truth(expr: &str) {
    assert_eq!(eval(expr), Ok(Value::Bool(true)), "{expr}");
}

#[test]
fn quantities_compare_and_add_exactly() {
    truth("quantity('1Gi').isGreaterThan(quantity('1000Mi'))");
    truth("quantity('1024Mi') == quantity('1Gi')");
    truth("quantity('100m').isLessThan(quantity('0.2'))");
    truth("quantity('1.5').compareTo(quantity('1500m')) == 0");
    truth("quantity('2e3').asInteger() == 2000");
    truth("quantity('1k').add(24).asInteger() == 1024");
    truth("quantity('1').sub(quantity('250m')).asApproximateFloat() == 0.75");
    truth("!quantity('100m').isInteger() && quantity('-3').sign() == -1");
    truth("isQuantity('250Mi') && !isQuantity('12x') && !isQuantity('')");
    assert!(eval("quantity('12x')").unwrap_err().contains("quantity"));
    assert!(eval("quantity('100m').asInteger()").is_err());
}

#[test]
fn urls_split_into_their_parts() {
    truth("url('https://example.com:8443/a/b?x=1&x=2&y=z').getScheme() == 'https'");
    truth("url('https://example.com:8443/a/b').getHost() == 'example.com:8443'");
    truth("url('https://[::1]:80/').getHostname() == '::1'");
    truth("url('https://example.com:8443/a').getPort() == '8443'");
    truth("url('https://example.com/a%20b').getEscapedPath() == '/a%20b'");
    truth("url('https://e.com/?x=1&x=2&y=z').getQuery() == {'x': ['1', '2'], 'y': ['z']}");
    truth("isURL('/healthz') && !isURL('not a url') && !isURL('example.com')");
}

#[test]
fn ips_and_cidrs() {
    truth(
        "cidr('10.0.0.0/8').containsIP('10.1.2.3') && !cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))",
    );
    truth(
        "cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && cidr('192.168.1.7/24').masked() == cidr('192.168.1.0/24')",
    );
    truth(
        "cidr('192.168.1.0/24').prefixLength() == 24 && cidr('192.168.1.0/24').ip() == ip('192.168.1.0')",
    );
    truth(
        "ip('127.0.0.1').isLoopback() && ip('::1').family() == 6 && ip('0.0.0.0').isUnspecified()",
    );
    truth(
        "ip('169.254.1.1').isLinkLocalUnicast() && ip('224.0.0.1').isLinkLocalMulticast() && ip('8.8.8.8').isGlobalUnicast()",
    );
    truth(
        "isIP('2001:db8::1') && !isIP('::ffff:1.2.3.4') && !isIP('1.2.3') && isCIDR('::/0') && !isCIDR('1.2.3.4')",
    );
    truth("ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8::1')");
}

#[test]
fn semantic_versions_compare_by_precedence() {
    truth("semver('1.2.3').isLessThan(semver('1.10.0'))");
    truth(
        "semver('2.0.0-rc.1').isLessThan(semver('2.0.0')) && semver('1.0.0+a').compareTo(semver('1.0.0+b')) == 0",
    );
    truth(
        "semver('1.2.3').major() == 1 && semver('1.2.3').minor() == 2 && semver('1.2.3').patch() == 3",
    );
    truth("isSemver('1.0.0') && !isSemver('v1.0') && !isSemver('1.0')");
}

#[test]
fn lists_regexes_and_sets() {
    truth(
        "[1, 2, 2, 5].isSorted() && ![3, 1].isSorted() && [1, 2, 3].sum() == 6 && [1.5, 2.5].sum() == 4.0",
    );
    truth("[3, 1, 2].min() == 1 && ['b', 'c', 'a'].max() == 'c' && [].sum() == 0");
    truth("[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && [1].indexOf(9) == -1");
    truth("'abc 123 def 456'.find('[0-9]+') == '123' && 'abc'.find('[0-9]') == ''");
    truth(
        "'a1b2c3'.findAll('[0-9]') == ['1', '2', '3'] && 'a1b2c3'.findAll('[0-9]', 2) == ['1', '2']",
    );
    truth("sets.contains([1, 2, 3], [3, 1]) && !sets.contains([1], [2])");
    truth(
        "sets.equivalent([1, 2, 2], [2, 1]) && sets.intersects(['a', 'b'], ['b', 'c']) && !sets.intersects([1], [])",
    );
    assert!(eval("[].min()").is_err());
    assert!(
        eval("'x'.find('(')")
            .unwrap_err()
            .contains("regular expression")
    );
}

#[test]
fn formats_validate_names() {
    truth("!format.dns1123Label().validate('my-name').hasValue()");
    truth("format.dns1123Label().validate('Bad_Name').hasValue()");
    truth("format.dns1035Label().validate('1abc').value().size() == 1");
    truth(
        "!format.dns1123Subdomain().validate('a.b-c.d').hasValue() && format.dns1123Subdomain().validate('-a').hasValue()",
    );
    truth(
        "!format.qualifiedName().validate('example.com/my_key').hasValue() && format.qualifiedName().validate('a/-b').hasValue()",
    );
    truth(
        "!format.labelValue().validate('').hasValue() && !format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()",
    );
    truth("format.named('dns1123Label').hasValue() && !format.named('nope').hasValue()");
    truth(
        "!format.named('date').value().validate('2026-12-05').hasValue() && format.date().validate('2026-13-05').hasValue()",
    );
}

#[test]
fn images_normalise_as_kyverno_does() {
    truth(
        "image('nginx').registry() == 'docker.io' && image('nginx').repository() == 'library/nginx'",
    );
    truth("image('nginx').identifier() == 'latest' && image('nginx:1.27').tag() == '1.27'");
    truth(
        "image('ghcr.io/org/app@sha256:abc').containsDigest() && image('ghcr.io/org/app@sha256:abc').digest() == 'sha256:abc'",
    );
    truth(
        "image('localhost:5000/app:v1').registry() == 'localhost:5000' && image('localhost:5000/app:v1').repository() == 'app'",
    );
    truth("isImage('registry.k8s.io/pause:3.9') && !isImage('Bad/Upper') && !isImage('')");
}
