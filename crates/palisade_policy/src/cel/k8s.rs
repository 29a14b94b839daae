//! The Kubernetes CEL libraries (placeholder until the full library lands).

use cel::Env;

/// An environment as Kubernetes builds it.
pub fn kubernetes_env() -> Env {
    let mut env = Env::stdlib();
    let _ = env.add_extension(cel::extensions::strings);
    let _ = env.add_extension(cel::extensions::lists);
    let _ = env.add_extension(cel::extensions::math);
    let _ = env.add_extension(cel::extensions::encoders);
    env
}
