use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use clientela_domain::values::Platform;

use crate::PlatformAdapter;

/// The adapters the service accepts webhooks for, one per platform.
#[derive(Clone, Default)]
pub struct Registry {
    adapters: HashMap<Platform, Arc<dyn PlatformAdapter>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an adapter for {0} is already registered")]
pub struct DuplicatePlatform(pub Platform);

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an adapter under its platform. A second adapter for the same platform is
    /// rejected, so a wiring mistake cannot silently replace the first.
    pub fn register(&mut self, adapter: Arc<dyn PlatformAdapter>) -> Result<(), DuplicatePlatform> {
        let platform = adapter.platform();
        if self.adapters.contains_key(&platform) {
            return Err(DuplicatePlatform(platform));
        }
        self.adapters.insert(platform, adapter);
        Ok(())
    }

    pub fn get(&self, platform: Platform) -> Option<&Arc<dyn PlatformAdapter>> {
        self.adapters.get(&platform)
    }

    /// Looks an adapter up by the platform's name as it appears in webhook URLs
    /// (`hotmart`, `kiwify`). Returns `None` for an unknown name or a platform
    /// without an adapter.
    pub fn get_by_name(&self, name: &str) -> Option<&Arc<dyn PlatformAdapter>> {
        let platform: Platform = name.parse().ok()?;
        self.get(platform)
    }

    /// Returns the platforms with an adapter, sorted by name.
    pub fn platforms(&self) -> Vec<Platform> {
        let mut platforms: Vec<Platform> = self.adapters.keys().copied().collect();
        platforms.sort_by_key(|platform| platform.as_str());
        platforms
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("platforms", &self.platforms())
            .finish()
    }
}
