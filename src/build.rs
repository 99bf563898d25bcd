//! The build pipeline, top to bottom, as kustomize's `KustTarget` runs it:
//! accumulate resources → merge configurations → run generators → apply
//! components → run transformers → (at the top only) add hash suffixes, fix
//! name references, resolve vars, drop local configs → order.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::explain::observe::Observer;
use crate::fieldspec::TransformerConfig;
use crate::generate::{self, GeneratedKind};
use crate::kustomization::{KustKind, Kustomization};
use crate::loader::{LoadRestrictor, Loader, QuickEntry};
use crate::patch;
use crate::resource::{Behavior, ResMap, Resource};
use crate::schema::Schema;
use crate::transform;
use crate::yaml::{self, Value};

/// Options for one build.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Which files kustomizations may read.
    pub load_restrictor: LoadRestrictor,
    /// Remote bases and files: the cache, `--offline`.
    pub remote: crate::remote::RemoteOptions,
    /// Helm chart inflation (`--enable-helm` and the other helm flags).
    pub helm: crate::helm::HelmConfig,
    /// `--reorder`: the final order when the kustomization has no
    /// `sortOptions` (unset: legacy).
    pub reorder: Option<crate::build_flags::Reorder>,
    /// `--enable-managedby-label`: add `app.kubernetes.io/managed-by` to
    /// every resource, as `buildMetadata: [managedByLabel]` does.
    pub managed_by_label: bool,
}

/// Resources plus what the transformers need to finish them: kustomize's
/// `ResAccumulator`.
#[derive(Clone, Debug, Default)]
pub struct Accumulator {
    /// The resources so far.
    pub resources: ResMap,
    /// Field specs in force (defaults plus `configurations` and `crds`),
    /// shared: most kustomizations use exactly the defaults.
    pub config: Arc<TransformerConfig>,
    /// Declared vars.
    pub vars: transform::vars::VarSet,
    /// Warnings for the user (kustomize prints them on stderr), in the
    /// order kustomize prints them: each kustomization's deprecation
    /// warnings as it is loaded, depth first.
    pub warnings: Vec<String>,
    /// What `aiw explain` needs to know of the kustomizations below (empty
    /// unless the build explains itself).
    pub notes: crate::explain::Notes,
}

/// The merge schema a build uses, kustomize-style: the first kustomization
/// (top first, then bases depth-first) with an `openapi` field chooses it for
/// everything that follows.
#[derive(Clone, Debug, Default)]
pub(crate) struct SchemaState {
    chosen: bool,
    custom: Option<Arc<Schema>>,
}

thread_local! {
    static SCHEMA: RefCell<SchemaState> = RefCell::new(SchemaState::default());
    /// True while a build whose top kustomization has `buildMetadata` runs.
    static TRACK_ORIGINS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The helm flags of the build running on this thread.
    static HELM: RefCell<Arc<crate::helm::HelmConfig>> = RefCell::new(Arc::default());
    /// True while a build explains itself (`aiw explain`).
    static EXPLAIN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Where in each list of directories this thread's build starts
    /// claiming them, as (n, of): n/of of the way in (see [`DirBuilds`]).
    static CLAIM_FROM: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 1)) };
}

/// Makes this thread's build start claiming each list's directories `n/of`
/// of the way in: builds side by side that read the same bases then build
/// different ones first instead of waiting for each other on each.
pub(crate) fn set_claim_from(n: usize, of: usize) {
    CLAIM_FROM.with(|c| c.set((n, of.max(1))));
}

/// This thread's merge schema choice.
pub(crate) fn current_schema_state() -> SchemaState {
    SCHEMA.with(|s| s.borrow().clone())
}

/// True while the build running on this thread explains itself.
pub(crate) fn explaining() -> bool {
    EXPLAIN.with(|e| e.get())
}

/// Makes the builds on this thread explain themselves until dropped.
pub(crate) struct Explaining(bool);

impl Explaining {
    /// Starts explaining.
    pub(crate) fn start() -> Explaining {
        Explaining(EXPLAIN.with(|e| e.replace(true)))
    }
}

impl Drop for Explaining {
    fn drop(&mut self) {
        EXPLAIN.with(|e| e.set(self.0));
    }
}

/// True while the running build records origins and transformations (its
/// top kustomization has `buildMetadata`).
pub(crate) fn tracking_origins() -> bool {
    TRACK_ORIGINS.with(|t| t.get())
}

/// The per-thread build settings a worker thread must start with: the
/// merge schema choice and whether origins are tracked.
#[derive(Clone)]
pub(crate) struct ThreadContext {
    schema: SchemaState,
    track_origins: bool,
    helm: Arc<crate::helm::HelmConfig>,
    explain: bool,
    claim_from: (usize, usize),
}

impl ThreadContext {
    /// This thread's settings.
    pub(crate) fn capture() -> ThreadContext {
        ThreadContext {
            schema: SCHEMA.with(|s| s.borrow().clone()),
            track_origins: TRACK_ORIGINS.with(|t| t.get()),
            helm: HELM.with(|h| h.borrow().clone()),
            explain: EXPLAIN.with(|e| e.get()),
            claim_from: CLAIM_FROM.with(|c| c.get()),
        }
    }

    /// Makes them this thread's settings.
    pub(crate) fn install(&self) {
        SCHEMA.with(|s| *s.borrow_mut() = self.schema.clone());
        TRACK_ORIGINS.with(|t| t.set(self.track_origins));
        HELM.with(|h| *h.borrow_mut() = self.helm.clone());
        EXPLAIN.with(|e| e.set(self.explain));
        CLAIM_FROM.with(|c| c.set(self.claim_from));
    }
}

impl SchemaState {
    /// The same choice (the custom schema compared by identity).
    /// True when `other` is the same choice (a custom schema: the same one).
    pub(crate) fn same_as(&self, other: &SchemaState) -> bool {
        self.chosen == other.chosen
            && match (&self.custom, &other.custom) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            }
    }
}

/// The helm flags of the build running on this thread.
pub(crate) fn helm_config() -> Arc<crate::helm::HelmConfig> {
    HELM.with(|h| h.borrow().clone())
}

/// The strategic merge schema in force for the build running on this thread.
pub fn with_active_schema<T>(f: impl FnOnce(&Schema) -> T) -> T {
    let custom = SCHEMA.with(|s| s.borrow().custom.clone());
    match custom {
        Some(schema) => f(&schema),
        None => f(Schema::builtin()),
    }
}

/// Applies a kustomization's `openapi` field (kyaml's `SetSchema`).
fn choose_schema(ldr: &Loader, k: &Kustomization, reset: bool) -> Result<()> {
    if reset {
        SCHEMA.with(|s| *s.borrow_mut() = SchemaState::default());
    }
    if SCHEMA.with(|s| s.borrow().chosen) {
        return Ok(());
    }
    let Some(Value::Map(m)) = &k.openapi else {
        return Ok(());
    };
    let path = m.get("path");
    let version = m.get("version");
    if path.is_some() && version.is_some() {
        return Err(Error::in_file(
            &k.file,
            "openapi: builtin version and custom schema provided, cannot use both",
        ));
    }
    let mut state = SchemaState {
        chosen: true,
        custom: None,
    };
    if let Some(p) = path {
        let p = p.as_str().unwrap_or_default();
        let text = ldr.load_text(p).map_err(|e| e.via(&k.file))?;
        let shown = ldr.display_path(p);
        let doc = parse_yaml(&shown, &text)?
            .into_iter()
            .next()
            .unwrap_or(Value::NULL);
        let schema = Schema::from_openapi_value(&doc).map_err(|e| e.with_file(&shown))?;
        state.custom = Some(Arc::new(schema));
    } else if let Some(v) = version {
        let v = v.scalar_string().unwrap_or_default();
        if v != "v1.21.2" && !v.is_empty() {
            return Err(Error::in_file(
                &k.file,
                format!(
                    "openapi: the builtin schema version {:?} is not available (aiw has v1.21.2)",
                    v
                ),
            ));
        }
    }
    SCHEMA.with(|s| *s.borrow_mut() = state);
    Ok(())
}

/// Builds the kustomization in `dir` (or, as kustomize does, in the
/// repository a git URL names) and returns its resources in output order.
pub fn build(dir: &Path, opts: &BuildOptions) -> Result<Vec<Resource>> {
    Ok(build_with_warnings(dir, opts)?.resources)
}

/// The result of a build: the resources, and the warnings for the user.
#[derive(Debug)]
pub struct Built {
    /// The output resources, in output order.
    pub resources: Vec<Resource>,
    /// One line each, as kustomize prints them on stderr (deprecated fields,
    /// vars never used), in its order.
    pub warnings: Vec<String>,
}

/// [`build`], with the warnings kustomize would print.
pub fn build_with_warnings(dir: &Path, opts: &BuildOptions) -> Result<Built> {
    let remote = Arc::new(crate::remote::Remote::new(&opts.remote));
    let ldr = top_loader(dir, opts, remote)?;
    finish_top(accumulate_top(&ldr, opts)?)
}

/// The loader of the top kustomization `dir` (a directory or a git URL).
pub(crate) fn top_loader(
    dir: &Path,
    opts: &BuildOptions,
    remote: Arc<crate::remote::Remote>,
) -> Result<Loader> {
    Ok(match dir.to_str().map(crate::remote::RepoSpec::parse) {
        Some(Ok(spec)) => Loader::at_repo(spec, remote).map_err(|e| {
            Error::msg(format!(
                "{}: {}",
                crate::remote::redact(&dir.to_string_lossy()),
                e
            ))
        })?,
        _ => Loader::new(dir, opts.load_restrictor)?.with_remote(remote),
    })
}

/// A top kustomization with its resources accumulated and transformed: what
/// is left is [`finish_top`].
pub(crate) struct TopBuild {
    k: Kustomization,
    ra: Accumulator,
    /// `--reorder` and `--enable-managedby-label`.
    reorder: Option<crate::build_flags::Reorder>,
    managed_by_label: bool,
    /// Hash suffixes to reuse, and to keep for the next build.
    pub(crate) hashes: Option<Arc<HashMemo>>,
    /// The resources at the top's last step, when a rebuild reused the
    /// last build's ([`crate::incremental`]): only ordering is left.
    done: Option<Vec<Resource>>,
    /// The resources as they entered the top's steps, to be kept for the
    /// next rebuild once this full run ends.
    snapshot: Option<crate::incremental::Snapshot>,
    /// Which of the resources leaving the top's transformers are local
    /// configurations (with `snapshot`).
    local: Vec<bool>,
    /// The thread settings the build ended with, for the thread that
    /// finishes it.
    context: ThreadContext,
}

/// Accumulates and transforms the top kustomization of `ldr` with `opts`
/// (this thread's build settings are set for it).
pub(crate) fn accumulate_top(ldr: &Loader, opts: &BuildOptions) -> Result<TopBuild> {
    accumulate_top_reusing(ldr, opts, None, None)
}

/// [`accumulate_top`] for a build that reuses its last one (watch mode):
/// `hashes` keeps hash suffixes, `memo` the top's per-resource results
/// ([`crate::incremental`]).
pub(crate) fn accumulate_top_reusing(
    ldr: &Loader,
    opts: &BuildOptions,
    hashes: Option<Arc<HashMemo>>,
    memo: Option<Arc<crate::incremental::TopMemo>>,
) -> Result<TopBuild> {
    HELM.with(|h| *h.borrow_mut() = Arc::new(opts.helm.clone()));
    let k = load_kustomization(ldr)?;
    choose_schema(ldr, &k, true)?;
    TRACK_ORIGINS.with(|t| t.set(!k.build_metadata.is_empty()));
    let ra = Accumulator {
        warnings: k.warnings.iter().map(|w| w.to_string()).collect(),
        ..Default::default()
    };
    let mut ra = prepare_target(ldr, &k, ra)?;
    let memo = memo.filter(|_| crate::incremental::eligible(&k, &ra));
    let mut done = None;
    let mut snapshot = None;
    if let Some(memo) = memo {
        done = crate::incremental::rebuild(
            ldr,
            &k,
            &mut ra,
            &memo,
            hashes.as_deref(),
            opts.managed_by_label,
        );
        if done.is_none() {
            snapshot = Some(crate::incremental::Snapshot::take(memo, &ra));
        }
    }
    let mut local = Vec::new();
    if done.is_none() {
        ra = transform_target(ldr, &k, ra)?;
        if let Some(snap) = &snapshot {
            match snap.local_positions(&ra.resources) {
                Some(l) => local = l,
                None => snapshot = None,
            }
        }
    }
    Ok(TopBuild {
        k,
        ra,
        reorder: opts.reorder,
        managed_by_label: opts.managed_by_label,
        hashes,
        done,
        snapshot,
        local,
        context: ThreadContext::capture(),
    })
}

/// The steps run once at the top (hash suffixes, name references, vars,
/// build metadata) and the final order, on any thread.
pub(crate) fn finish_top(top: TopBuild) -> Result<Built> {
    let TopBuild {
        k,
        mut ra,
        reorder,
        managed_by_label,
        hashes,
        done,
        snapshot,
        local,
        context,
    } = top;
    context.install();
    let mut resources = match done {
        Some(resources) => resources,
        None => {
            let obs = crate::explain::observe::Observer::new(&k);
            finish(
                &k,
                &mut ra,
                managed_by_label,
                obs.as_ref(),
                hashes.as_deref(),
            )
            .map_err(|e| e.with_file(&k.file))?;
            if let Some(snap) = snapshot {
                crate::incremental::record(snap, &local, ra.resources.resources());
            }
            std::mem::take(&mut ra.resources).into_resources()
        }
    };
    // kustomize's applySortOrder: the kustomization's sortOptions win over
    // --reorder, which only `none` changes.
    let sort = match &k.sort_options {
        Some(v) => {
            if reorder.is_some() {
                ra.warnings.push(
                    "Warning: Sorting order is set both in 'kustomization.yaml' ('sortOptions') and in a CLI flag ('--reorder'). Using the kustomization file over the CLI flag.".to_string(),
                );
            }
            Some(crate::order::SortOptions::from_value(v).map_err(|e| e.with_file(&k.file))?)
        }
        None if reorder == Some(crate::build_flags::Reorder::None) => None,
        None => Some(crate::order::SortOptions::default()),
    };
    if let Some(sort) = sort {
        crate::order::sort(&mut resources, &sort);
    }
    Ok(Built {
        resources,
        warnings: ra.warnings,
    })
}

/// The output stream of `parts` (each empty or whole documents), as pieces
/// to write one after the other: the non-empty parts with `---` lines
/// between them.
pub(crate) fn stream_pieces<S: AsRef<str>>(parts: &[S]) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(parts.len() * 2);
    for part in parts.iter().map(AsRef::as_ref).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push(b"---\n".as_slice());
        }
        out.push(part.as_bytes());
    }
    out
}

/// Builds `dir` and renders the output stream as `kubectl kustomize` does.
pub fn build_yaml(dir: &Path, opts: &BuildOptions) -> Result<String> {
    let resources = build(dir, opts)?;
    render(&resources)
}

/// Resources rendered per worker thread, at least.
const RENDER_CHUNK: usize = 128;

/// Checks that every resource can be written and renders the output stream
/// as `kubectl kustomize` does, split over spare cores when there are many
/// resources.
pub fn render(resources: &[Resource]) -> Result<String> {
    Ok(render_pieces(resources)?.joined())
}

/// A rendered output stream in pieces (rendered on several threads): the
/// stream is their concatenation, which a writer need not build.
#[derive(Debug, Default)]
pub struct Rendered {
    parts: Vec<String>,
}

impl Rendered {
    /// The pieces of the stream, in order (the parts and the separators
    /// between them).
    pub fn pieces(&self) -> Vec<&[u8]> {
        stream_pieces(&self.parts)
    }

    /// The whole stream.
    pub fn joined(self) -> String {
        if self.parts.len() == 1 {
            return self.parts.into_iter().next().unwrap_or_default();
        }
        let mut out = String::with_capacity(self.parts.iter().map(|p| p.len() + 4).sum());
        for part in &self.parts {
            if !out.is_empty() && !part.is_empty() {
                out.push_str("---\n");
            }
            out.push_str(part);
        }
        out
    }
}

/// [`render`] without joining the parts rendered on different threads.
pub fn render_pieces(resources: &[Resource]) -> Result<Rendered> {
    let mut refs: Vec<&Resource> = resources.iter().collect();
    let parts = crate::workers::map_parts(&mut refs, RENDER_CHUNK, |_, part| render_part(part));
    let mut all = Vec::new();
    for part in parts {
        all.extend(part?);
    }
    Ok(Rendered { parts: all })
}

/// Bytes a rendered piece holds before the next document starts a new one:
/// pieces of about this size, never grown far, touch little more memory
/// than the output (one growing string is copied at each doubling).
const PIECE_BYTES: usize = 60 << 10;

/// [`render`] on one thread: whole documents in pieces of about
/// [`PIECE_BYTES`].
fn render_part(resources: &[&Resource]) -> Result<Vec<String>> {
    // Room for the document that passes the limit, mostly.
    let piece = || String::with_capacity(PIECE_BYTES + (4 << 10));
    let mut pieces = Vec::new();
    let mut out = piece();
    for r in resources {
        // A document is never empty (at least `{}`), so an empty piece
        // has no document yet.
        if out.len() >= PIECE_BYTES {
            pieces.push(std::mem::replace(&mut out, piece()));
        }
        if !out.is_empty() {
            out.push_str("---\n");
        }
        if yaml::emit_document_checked(&mut out, &r.value) {
            check_writable(r)?;
        }
    }
    pieces.push(out);
    Ok(pieces)
}

/// One resource's document, checked to be writable (see [`render`]).
pub(crate) fn render_one(r: &Resource) -> Result<String> {
    let mut out = String::with_capacity(512);
    if yaml::emit_document_checked(&mut out, &r.value) {
        check_writable(r)?;
    }
    Ok(out)
}

/// Checks that `r` can be written (see [`yaml::check_writable`]); the error
/// names the resource and the file it came from.
pub(crate) fn check_writable(r: &Resource) -> Result<()> {
    yaml::check_writable(&r.value).map_err(|e| {
        let e = Error::msg(format!("{}: {}", r.id(), e.message));
        match &r.source {
            Some(file) => e.with_file(file),
            None => e,
        }
    })
}

/// Reads and parses the kustomization file in `ldr`'s root.
pub fn load_kustomization(ldr: &Loader) -> Result<Kustomization> {
    let file = ldr.kustomization_file()?;
    let shown = crate::loader::display(&file);
    let bytes =
        crate::loader::read_file(&file).map_err(|e| Error::in_file(&shown, e.to_string()))?;
    let text = crate::loader::utf8_text(&shown, bytes)?;
    let docs = yaml::parse_documents_lenient(&text)
        .map_err(|e| Error::in_file(&shown, e.message.clone()).with_line(e.line))?;
    // kustomize reads only the first document of a kustomization file.
    let doc = docs.into_iter().next().unwrap_or(Value::NULL);
    let mut k = Kustomization::from_value(&shown, &doc)
        .map_err(|e| crate::kustomization::locate_unknown_field(e, &text))?;
    if k.has_helm_values_inline() {
        // kustomize decodes its own fields with go-yaml v2, and chart
        // values keep those scalar rules (`yes` is true): read them again so.
        let docs = yaml::parse_documents_as(&text, yaml::Scalars::GoYamlV2)
            .map_err(|e| Error::in_file(&shown, e.message.clone()).with_line(e.line))?;
        k.set_helm_values_inline(docs.first().unwrap_or(&Value::NULL))
            .map_err(|e| e.with_file(&shown))?;
    }
    check_openapi_path(ldr, &k)?;
    Ok(k)
}

/// kustomize loads `openapi: path:` through the restricted loader as soon
/// as it reads a kustomization: a path outside the root, or a missing file,
/// fails the build even where the schema is never used.
fn check_openapi_path(ldr: &Loader, k: &Kustomization) -> Result<()> {
    if let Some(path) = k.openapi.as_ref().and_then(|o| o.get("path")) {
        let path = path.scalar_string().unwrap_or_default();
        ldr.load(&path).map_err(|e| e.via(&k.file))?;
    }
    Ok(())
}

/// Parses YAML text, turning syntax errors into errors naming `file` and line.
pub fn parse_yaml(file: &Path, text: &str) -> Result<Vec<Value>> {
    yaml::parse_documents(text)
        .map_err(|e| Error::in_file(file, e.message.clone()).with_line(e.line))
}

fn accumulate_target(ldr: &Loader, k: &Kustomization, ra: Accumulator) -> Result<Accumulator> {
    let ra = prepare_target(ldr, k, ra)?;
    transform_target(ldr, k, ra)
}

/// A kustomization's resources, field specs, generated resources and
/// components: what its own transformers then run over.
fn prepare_target(ldr: &Loader, k: &Kustomization, ra: Accumulator) -> Result<Accumulator> {
    let mut ra = ra;
    accumulate_resources(ldr, k, &mut ra).map_err(|e| e.via(&k.file))?;
    // kustomize's MakeTransformerConfig: the defaults merged with the
    // `configurations` files, then merged into the accumulator's config (the
    // order matters: merging sorts, and a spec already present shadows an
    // effectively equal one merged later).
    if k.configurations.is_empty() {
        merge_defaults(&mut ra.config).map_err(|e| e.with_file(&k.file))?;
    } else {
        let mut tc = crate::fieldspec::default_config().clone();
        let mut custom = TransformerConfig::default();
        for c in &k.configurations {
            let text = ldr.load_text(c)?;
            let shown = ldr.display_path(c);
            for doc in parse_yaml(&shown, &text)? {
                let one = TransformerConfig::from_value(&doc).map_err(|e| e.with_file(&shown))?;
                custom.merge(&one).map_err(|e| e.with_file(&shown))?;
            }
        }
        tc.merge(&custom).map_err(|e| e.with_file(&k.file))?;
        Arc::make_mut(&mut ra.config)
            .merge(&tc)
            .map_err(|e| e.with_file(&k.file))?;
    }
    for c in &k.crds {
        let text = ldr.load_text(c)?;
        let shown = ldr.display_path(c);
        for doc in parse_yaml(&shown, &text)? {
            let tc =
                crate::crds::config_from_crd_definitions(&doc).map_err(|e| e.with_file(&shown))?;
            Arc::make_mut(&mut ra.config)
                .merge(&tc)
                .map_err(|e| e.with_file(&shown))?;
        }
    }
    let obs = crate::explain::observe::Observer::new(k);
    let obs = obs.as_ref();
    run_generators(ldr, k, &mut ra, obs).map_err(|e| e.with_file(&k.file))?;
    for c in &k.components {
        ra = accumulate_directory(ldr, c, ra, true).map_err(|e| e.via(&k.file))?;
    }
    Ok(ra)
}

/// A kustomization's own transformers over what [`prepare_target`] gave.
fn transform_target(ldr: &Loader, k: &Kustomization, ra: Accumulator) -> Result<Accumulator> {
    let mut ra = ra;
    let obs = crate::explain::observe::Observer::new(k);
    let obs = obs.as_ref();
    run_transformers(ldr, k, &mut ra, obs).map_err(|e| e.with_file(&k.file))?;
    if let Some(o) = obs {
        o.note_vars(&mut ra.notes, &k.vars);
    }
    if !k.vars.is_empty() {
        let vars = transform::vars::parse_vars(&Value::Seq(k.vars.clone()))
            .map_err(|e| e.with_file(&k.file))?;
        transform::vars::merge_vars(&mut ra.vars, &vars, &mut ra.resources)
            .map_err(|e| e.with_file(&k.file))?;
    }
    Ok(ra)
}

/// The default field specs merged into an empty configuration, shared.
fn merged_defaults() -> &'static Arc<TransformerConfig> {
    // Merged into an empty configuration, the defaults give themselves
    // (unit tests here and in fieldspec check it): no merge to run.
    crate::fieldspec::default_config_shared()
}

/// `config.merge(defaults)` without copying: an empty configuration becomes
/// the shared merged defaults, and merging the defaults into them again
/// changes nothing (checked by a unit test).
fn merge_defaults(config: &mut Arc<TransformerConfig>) -> Result<()> {
    let merged = merged_defaults();
    if Arc::ptr_eq(config, merged) {
        return Ok(());
    }
    if **config == TransformerConfig::default() {
        *config = merged.clone();
        return Ok(());
    }
    Arc::make_mut(config).merge(crate::fieldspec::default_config())
}

/// `config.merge(other)`, skipping the merge of a shared configuration into
/// itself (which changes nothing).
fn merge_config(config: &mut Arc<TransformerConfig>, other: &Arc<TransformerConfig>) -> Result<()> {
    if Arc::ptr_eq(config, other) {
        return Ok(());
    }
    if **config == TransformerConfig::default() && Arc::ptr_eq(other, merged_defaults()) {
        *config = other.clone();
        return Ok(());
    }
    Arc::make_mut(config).merge(other)
}

fn accumulate_resources(ldr: &Loader, k: &Kustomization, ra: &mut Accumulator) -> Result<()> {
    accumulate_list(ldr, k, &k.resources, ra)
}

/// Accumulates `paths` (files or kustomization directories, as in
/// `resources:`) on their own, as kustomize does for plugin configs.
pub(crate) fn accumulate_paths(
    ldr: &Loader,
    k: &Kustomization,
    paths: &[String],
) -> Result<(ResMap, Vec<String>)> {
    let mut ra = Accumulator::default();
    accumulate_list(ldr, k, paths, &mut ra)?;
    Ok((ra.resources, ra.warnings))
}

/// What a `resources:` entry names.
#[derive(Clone, Copy, PartialEq)]
enum EntryKind {
    File,
    /// A kustomization directory, or a git repository (checked out by the
    /// loader, then built like one).
    Directory,
    /// An `http(s)://` URL: fetched as a file first, as kustomize does.
    RemoteFile,
    Missing,
}

/// What `path` names (kustomize tries a file first, then a base, which a
/// git URL makes remote).
fn entry_kind(ldr: &Loader, path: &str) -> EntryKind {
    use crate::remote::{RepoSpec, is_remote_file};
    let local = ldr.entry_is_dir(path);
    if local == Some(false) {
        return EntryKind::File;
    }
    let repo = RepoSpec::parse(path);
    if is_remote_file(path) {
        // A pinned checkout already in the cache needs no look at the URL.
        return match repo {
            Ok(spec) if ldr.remote().cached_checkout(&spec).is_some() => EntryKind::Directory,
            _ => EntryKind::RemoteFile,
        };
    }
    if repo.is_ok() || local == Some(true) {
        EntryKind::Directory
    } else {
        EntryKind::Missing
    }
}

fn accumulate_list(
    ldr: &Loader,
    k: &Kustomization,
    paths: &[String],
    ra: &mut Accumulator,
) -> Result<()> {
    // What each entry is, with the file read while telling it apart.
    let (kinds, read): (Vec<EntryKind>, Vec<Option<Vec<u8>>>) = paths
        .iter()
        .map(|path| match ldr.read_entry_quick(path) {
            Some(QuickEntry::File(bytes)) => (EntryKind::File, Some(bytes)),
            Some(QuickEntry::Dir) => (EntryKind::Directory, None),
            None => (entry_kind(ldr, path), None),
        })
        .unzip();
    let dirs: Vec<&str> = paths
        .iter()
        .zip(&kinds)
        .filter(|(_, kind)| **kind == EntryKind::Directory)
        .map(|(p, _)| p.as_str())
        .collect();
    let builds = DirBuilds::new(ldr, dirs);
    let work = || {
        loop {
            builds.context.install();
            if !builds.build_next() {
                break;
            }
        }
    };
    // Dropped in reverse: workers are told to stop, then waited for.
    let lent = crate::workers::Lent::new();
    let _stop = StopOnExit(&builds);
    {
        let mut dir = 0;
        for ((path, kind), bytes) in paths.iter().zip(&kinds).zip(read) {
            match kind {
                EntryKind::File => {
                    let resources = match bytes {
                        Some(bytes) => read_resources_in(ldr, path, bytes)?,
                        None => read_resources(ldr, path)?,
                    };
                    for r in resources {
                        append_unique(&mut ra.resources, r)
                            .map_err(|e| e.with_file(ldr.display_path(path)))?;
                    }
                }
                EntryKind::Directory => {
                    builds.add_workers(&lent, &work);
                    let sub = builds.take(dir)?;
                    dir += 1;
                    merge_accumulator(ra, sub).map_err(|e| e.with_file(ldr.display_path(path)))?;
                }
                EntryKind::RemoteFile => match read_remote_file(ldr, path) {
                    Ok(resources) => {
                        for r in resources {
                            append_unique(&mut ra.resources, r)
                                .map_err(|e| e.with_file(ldr.display_path(path)))?;
                        }
                    }
                    // Not a file of resources: a repository, if the URL
                    // can name one (kustomize's order).
                    Err(file_error) => {
                        if crate::remote::RepoSpec::parse(path).is_err() {
                            if file_error.file.is_some() {
                                return Err(file_error);
                            }
                            return Err(Error::in_file(
                                &k.file,
                                format!(
                                    "resources entry '{}': {}",
                                    ldr.display_path(path).display(),
                                    file_error.message
                                ),
                            ));
                        }
                        let sub = accumulate_directory(ldr, path, Accumulator::default(), false)
                            .map_err(|mut e| {
                                if e.file.as_deref() == Some(k.file.as_path()) {
                                    e.message = format!(
                                        "{} (and fetched as a file: {})",
                                        e.message, file_error.message
                                    );
                                }
                                e
                            })?;
                        merge_accumulator(ra, sub)
                            .map_err(|e| e.with_file(ldr.display_path(path)))?;
                    }
                },
                EntryKind::Missing => {
                    return Err(Error::in_file(
                        ldr.display_path(path),
                        ldr.missing_reason(path),
                    ));
                }
            }
        }
        Ok(())
    }
}

use crate::workers::{LentCore, WorkerSlot};

/// The base directories of one `resources:` list, built by this thread and
/// any spare workers in whatever order they claim them, and taken in list
/// order as if built in place.
///
/// The merge schema is the one piece of state that flows from one sibling
/// to the next (kustomize's first `openapi` field wins for everything after
/// it). Each build records the schema choice it started from; a result only
/// stands if that is still the choice when its turn comes, and is rebuilt
/// otherwise.
struct DirBuilds<'a> {
    ldr: &'a Loader,
    dirs: Vec<&'a str>,
    /// The next directory nobody has claimed yet.
    next: std::sync::atomic::AtomicUsize,
    /// Set when the list is left (an error): workers stop claiming.
    stop: std::sync::atomic::AtomicBool,
    /// The schema choice and buildMetadata flag workers start from.
    context: ThreadContext,
    /// The list position claimed first (claims go round from there).
    first: usize,
    done: std::sync::Mutex<Vec<Option<DirBuild>>>,
    ready: std::sync::Condvar,
}

/// One finished directory build.
struct DirBuild {
    started_with: SchemaState,
    result: Result<Accumulator>,
    ended_with: SchemaState,
}

/// Stops a list's workers from claiming more when the list is left.
struct StopOnExit<'b, 'a>(&'b DirBuilds<'a>);

impl Drop for StopOnExit<'_, '_> {
    fn drop(&mut self) {
        self.0
            .stop
            .store(true, std::sync::atomic::Ordering::Release);
    }
}

impl<'a> DirBuilds<'a> {
    fn new(ldr: &'a Loader, dirs: Vec<&'a str>) -> Self {
        let n = dirs.len();
        let (from, of) = CLAIM_FROM.with(|c| c.get());
        let first = if ldr.dir_cache().is_some() && n > 0 {
            (n * from / of) % n
        } else {
            0
        };
        DirBuilds {
            ldr,
            dirs,
            first,
            next: std::sync::atomic::AtomicUsize::new(0),
            stop: std::sync::atomic::AtomicBool::new(false),
            context: ThreadContext::capture(),
            done: std::sync::Mutex::new((0..n).map(|_| None).collect()),
            ready: std::sync::Condvar::new(),
        }
    }

    /// Directories nobody has claimed yet.
    fn unclaimed(&self) -> usize {
        self.dirs
            .len()
            .saturating_sub(self.next.load(std::sync::atomic::Ordering::Acquire))
    }

    /// Lends `work` (building directories until none is left) to a worker
    /// on each spare core while more than one directory is left to claim
    /// (the last one this thread builds itself).
    fn add_workers<'j>(&self, lent: &crate::workers::Lent<'j>, work: &'j (dyn Fn() + Sync)) {
        while self.unclaimed() > 1 {
            let Some(slot) = WorkerSlot::take() else {
                return;
            };
            lent.spawn(slot, work);
        }
    }

    /// Claims and builds the next unclaimed directory with this thread's
    /// schema choice, which is left as it was; false when none is left.
    fn build_next(&self) -> bool {
        use std::sync::atomic::Ordering;
        if self.stop.load(Ordering::Acquire) {
            return false;
        }
        let claimed = self.next.fetch_add(1, Ordering::AcqRel);
        if claimed >= self.dirs.len() {
            return false;
        }
        let i = (claimed + self.first) % self.dirs.len();
        let started_with = SCHEMA.with(|s| s.borrow().clone());
        // A panic must not leave the thread waiting for this result hanging.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            accumulate_directory(self.ldr, self.dirs[i], Accumulator::default(), false)
        }))
        .unwrap_or_else(|_| {
            Err(Error::msg(format!(
                "internal error while building {}",
                self.ldr.display_path(self.dirs[i]).display()
            )))
        });
        let ended_with = SCHEMA.with(|s| s.replace(started_with.clone()));
        let built = DirBuild {
            started_with,
            result,
            ended_with,
        };
        if let Ok(mut done) = self.done.lock() {
            done[i] = Some(built);
        }
        self.ready.notify_all();
        true
    }

    /// The build of directory `i` (all before it taken already): built here
    /// if nobody claimed it; while a worker builds it, this thread builds
    /// later ones, then waits. The schema choice the build made is adopted.
    fn take(&self, i: usize) -> Result<Accumulator> {
        let built = loop {
            let mut done = self
                .done
                .lock()
                .map_err(|_| Error::msg("a worker thread failed"))?;
            if let Some(b) = done[i].take() {
                break b;
            }
            if self.unclaimed() > 0 {
                drop(done);
                self.build_next();
                continue;
            }
            let _lent = LentCore::lend();
            let _unused = self
                .ready
                .wait_while(done, |d| d[i].is_none())
                .map_err(|_| Error::msg("a worker thread failed"))?;
        };
        let current = SCHEMA.with(|s| s.borrow().clone());
        if !current.same_as(&built.started_with) {
            return accumulate_directory(self.ldr, self.dirs[i], Accumulator::default(), false);
        }
        SCHEMA.with(|s| *s.borrow_mut() = built.ended_with);
        built.result
    }
}

/// Appends `r`, failing when a resource with the same id is present.
fn append_unique(m: &mut ResMap, r: Resource) -> Result<()> {
    if let Some(pos) = m.positions(&r.id()).first() {
        let other = m.get(*pos).id();
        return Err(Error::msg(format!(
            "may not add resource with an already registered id: {}",
            other
        )));
    }
    m.push(r);
    Ok(())
}

fn merge_accumulator(ra: &mut Accumulator, sub: Accumulator) -> Result<()> {
    ra.warnings.extend(sub.warnings);
    ra.resources.append_all(sub.resources)?;
    merge_config(&mut ra.config, &sub.config)?;
    ra.vars.merge_set(sub.vars)?;
    ra.notes.merge(sub.notes);
    Ok(())
}

/// The resources of the `http(s)://` file `path`. A failed fetch is an
/// error without a file.
fn read_remote_file(ldr: &Loader, path: &str) -> Result<Vec<Resource>> {
    let shown = ldr.display_path(path);
    let bytes = ldr
        .remote()
        .fetch(path)
        .map_err(|e| Error::msg(crate::remote::fetch_message(&e)))?;
    let text = crate::loader::utf8_text(&shown, bytes)?;
    // kustomize records the URL as a path, or as a repository and a path in
    // it when the URL could name one.
    let origin = match crate::remote::RepoSpec::parse(path) {
        Ok(spec) => {
            let inside = spec.kust_dir();
            crate::resource::Origin {
                path: Some(Path::new("/").join(inside.as_deref().unwrap_or(""))),
                repo: Some(Arc::new(crate::resource::OriginRepo {
                    url: spec.clone_url(),
                    git_ref: spec.git_ref.clone(),
                    root: "/".into(),
                    not_cloned: inside.is_none(),
                })),
                ..Default::default()
            }
        }
        Err(_) => crate::resource::Origin {
            path: Some(ldr.join(path)),
            repo: ldr.origin_repo(),
            ..Default::default()
        },
    };
    parse_resources(&shown, &text, Some(&origin))
}

/// Names the kustomization file and the entry in an error about checking
/// out the git repository `path` names (other errors are left as they are).
fn remote_entry_error(ldr: &Loader, path: &str, component: bool, e: Error) -> Error {
    if e.file.is_some() || crate::remote::RepoSpec::parse(path).is_err() {
        return e;
    }
    let field = if component { "components" } else { "resources" };
    let e = Error::msg(format!(
        "{} entry '{}': {}",
        field,
        crate::remote::redact(path),
        e.message
    ));
    match ldr.kustomization_file() {
        Ok(file) => e.with_file(crate::loader::display(&file)),
        Err(_) => e,
    }
}

fn accumulate_directory(
    ldr: &Loader,
    path: &str,
    ra: Accumulator,
    component: bool,
) -> Result<Accumulator> {
    let child = ldr
        .child(path)
        .map_err(|e| remote_entry_error(ldr, path, component, e))?;
    let Some(cache) = child.dir_cache() else {
        return accumulate_child(&child, path, ra, component);
    };
    // A component works on its parent's resources: only bases are shared.
    if component {
        let result = accumulate_child(&child, path, ra, component);
        ldr.add_deps(Arc::new(child.deps()));
        return result;
    }
    let key = crate::dircache::DirKey::new(
        &child,
        SCHEMA.with(|s| s.borrow().clone()),
        TRACK_ORIGINS.with(|t| t.get()),
    );
    let (found, _flight) = cache.lookup(&key, &child);
    if let Some(found) = found {
        SCHEMA.with(|s| *s.borrow_mut() = found.ended_with);
        ldr.add_deps(found.deps);
        return Ok(found.acc);
    }
    let result = accumulate_child(&child, path, ra, component);
    let deps = Arc::new(child.deps());
    ldr.add_deps(deps.clone());
    let acc = result?;
    let built = crate::dircache::DirResult {
        acc,
        ended_with: SCHEMA.with(|s| s.borrow().clone()),
        deps,
    };
    cache.keep(key, &child, &built);
    Ok(built.acc)
}

/// Builds the kustomization `child` (the directory `path` names) as a base
/// or, into `ra`, as a component.
fn accumulate_child(
    child: &Loader,
    path: &str,
    ra: Accumulator,
    component: bool,
) -> Result<Accumulator> {
    let k = load_kustomization(child)?;
    choose_schema(child, &k, false)?;
    match (component, k.kind) {
        (true, KustKind::Kustomization) => {
            return Err(Error::in_file(
                &k.file,
                format!(
                    "expected kind 'Component' for path '{}' but got 'Kustomization'",
                    path
                ),
            ));
        }
        (false, KustKind::Component) => {
            return Err(Error::in_file(
                &k.file,
                format!(
                    "expected kind != 'Component' for path '{}': a component must be listed under 'components', not 'resources'",
                    path
                ),
            ));
        }
        _ => {}
    }
    let warnings = k.warnings.iter().map(|w| w.to_string());
    if component {
        let mut ra = ra;
        ra.warnings.extend(warnings);
        accumulate_target(child, &k, ra)
    } else {
        let sub = Accumulator {
            warnings: warnings.collect(),
            ..Default::default()
        };
        let _ = ra;
        accumulate_target(child, &k, sub)
    }
}

/// Reads the resources in one file, expanding `List` kinds.
pub fn read_resources(ldr: &Loader, path: &str) -> Result<Vec<Resource>> {
    read_resources_in(ldr, path, ldr.load(path)?)
}

/// The resources in `bytes`, the contents of the file `path`, as
/// [`read_resources`] reads them.
fn read_resources_in(ldr: &Loader, path: &str, bytes: Vec<u8>) -> Result<Vec<Resource>> {
    let shown = ldr.display_path(path);
    let text = crate::loader::utf8_text(&shown, bytes)?;
    let origin = crate::resource::Origin {
        path: Some(ldr.join(path)),
        repo: ldr.origin_repo(),
        ..Default::default()
    };
    if explaining() {
        return read_resources_explained(&shown, &text, origin);
    }
    parse_resources(&shown, &text, Some(&origin))
}

/// Reads resources from YAML text as kustomize reads a resource file
/// (`List` kinds expanded, empty documents dropped); `shown` names the text
/// in errors and becomes each resource's source.
pub fn resources_from_text(shown: &Path, text: &str) -> Result<Vec<Resource>> {
    parse_resources(shown, text, None)
}

/// The resources in the text of one file, `List` kinds expanded, each with
/// `origin`.
fn parse_resources(
    shown: &Path,
    text: &str,
    origin: Option<&crate::resource::Origin>,
) -> Result<Vec<Resource>> {
    let shown = shown.to_path_buf();
    let docs = parse_yaml(&shown, text)?;
    let mut out = Vec::new();
    let mut queue: std::collections::VecDeque<Value> = docs.into();
    while let Some(doc) = queue.pop_front() {
        let r = resource_from_doc(doc).map_err(|e| e.with_file(&shown))?;
        let Some(r) = r else { continue };
        if r.kind().ends_with("List")
            && let Some(items) = r.value.get("items")
        {
            match items {
                Value::Seq(items) => {
                    queue.extend(items.iter().cloned());
                    continue;
                }
                Value::Null(_) => continue,
                _ => {
                    return Err(Error::in_file(
                        &shown,
                        format!("expected array in {}/items", r.kind()),
                    ));
                }
            }
        }
        let mut r = r;
        r.source = Some(shown.clone());
        r.origin = origin.cloned();
        out.push(r);
    }
    Ok(out)
}

/// [`read_resources`] for a build that explains itself: each resource gets
/// its trail, every value at its position in the file.
fn read_resources_explained(
    shown: &Path,
    text: &str,
    origin: crate::resource::Origin,
) -> Result<Vec<Resource>> {
    let docs = yaml::parse_documents_with_positions(text, false)
        .map_err(|e| Error::in_file(shown, e.message.clone()).with_line(e.line))?;
    let mut out = Vec::new();
    let mut queue: std::collections::VecDeque<(Value, yaml::PosTree)> = docs.into();
    while let Some((doc, pos)) = queue.pop_front() {
        let r = resource_from_doc(doc).map_err(|e| e.with_file(shown))?;
        let Some(r) = r else { continue };
        if r.kind().ends_with("List")
            && let Some(items) = r.value.get("items")
        {
            match items {
                Value::Seq(items) => {
                    let at = r
                        .map()
                        .entries()
                        .iter()
                        .position(|(k, _)| k == "items")
                        .and_then(|i| pos.kids.get(i));
                    for (i, item) in items.iter().enumerate() {
                        let t = at.and_then(|t| t.kids.get(i)).cloned().unwrap_or_default();
                        queue.push_back((item.clone(), t));
                    }
                    continue;
                }
                Value::Null(_) => continue,
                _ => {
                    return Err(Error::in_file(
                        shown,
                        format!("expected array in {}/items", r.kind()),
                    ));
                }
            }
        }
        let mut r = r;
        r.source = Some(shown.to_path_buf());
        r.origin = Some(origin.clone());
        crate::explain::observe::read_trail(&mut r, shown, &pos);
        out.push(r);
    }
    Ok(out)
}

/// Checks a document is a valid object (kind and metadata.name present).
fn resource_from_doc(doc: Value) -> Result<Option<Resource>> {
    let m = match &doc {
        Value::Null(_) => return Ok(None),
        Value::Map(m) if m.is_empty() => return Ok(None),
        Value::Map(m) => m,
        other => {
            return Err(Error::msg(format!(
                "expected a Kubernetes object (a mapping), found a {}",
                other.type_name()
            )));
        }
    };
    let kind = m.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind.is_empty() {
        return Err(Error::msg("missing kind in object"));
    }
    if !kind.ends_with("List") {
        let name = m
            .get("metadata")
            .and_then(|md| md.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if name.is_empty() {
            return Err(Error::msg(format!(
                "missing metadata.name in object of kind {}",
                kind
            )));
        }
    }
    if let Some(md) = m.get("metadata")
        && !md.is_null()
        && md.as_map().is_none()
    {
        return Err(Error::msg("metadata must be a mapping"));
    }
    let mut doc = doc;
    stringify_annotations(&mut doc);
    Ok(Some(Resource::new(doc)))
}

/// kustomize's reader rewrites `metadata.annotations` as a string map, so
/// scalar annotation values become strings (`8080` → `"8080"`).
pub fn stringify_annotations(doc: &mut Value) {
    if let Some(Value::Map(a)) = doc.get_path_mut(&["metadata", "annotations"]) {
        for (_, v) in a.iter_mut() {
            if !matches!(v, Value::String(_) | Value::Map(_) | Value::Seq(_))
                && let Some(s) = v.scalar_string()
            {
                *v = Value::String(if v.is_null() { "null".into() } else { s });
            }
        }
    }
}

fn run_generators(
    ldr: &Loader,
    k: &Kustomization,
    ra: &mut Accumulator,
    obs: Option<&Observer>,
) -> Result<()> {
    // kustomize configures every builtin generator before running any: a
    // chart's configuration error comes first.
    let charts = if k.helm_charts.is_empty() {
        Vec::new()
    } else {
        let helm = helm_config();
        let globals = k.helm_globals.clone().unwrap_or_default();
        k.helm_charts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let entry = k.helm_chart_entry(i);
                crate::helm::configure(ldr, c, &globals, &helm)
                    .map(|conf| (entry.clone(), conf))
                    .map_err(|e| crate::helm::entry_error(&k.file, &entry, e))
            })
            .collect::<Result<Vec<_>>>()?
    };
    let global = k.generator_options.as_ref();
    let mut generated = Vec::new();
    for g in &k.config_map_generator {
        generated.push(generate::generate(
            ldr,
            GeneratedKind::ConfigMap,
            g,
            global,
        )?);
    }
    for g in &k.secret_generator {
        generated.push(generate::generate(ldr, GeneratedKind::Secret, g, global)?);
    }
    let n_cm = k.config_map_generator.len();
    for (i, mut r) in generated.into_iter().enumerate() {
        let kind = if i < n_cm {
            "ConfigMapGenerator"
        } else {
            "SecretGenerator"
        };
        r.origin = Some(transform::plugins::builtin_origin(ldr, k, kind));
        if let Some(o) = obs {
            o.begin(&mut ra.resources);
        }
        absorb(&mut ra.resources, r)?;
        if let Some(o) = obs {
            let (field, n, args) = if i < n_cm {
                ("configMapGenerator", i, &k.config_map_generator[i])
            } else {
                ("secretGenerator", i - n_cm, &k.secret_generator[i - n_cm])
            };
            o.end_generator(ldr, &mut ra.resources, field, n, args);
        }
    }
    for (entry, chart) in &charts {
        let made = chart
            .inflate(ldr, &k.file)
            .map_err(|e| crate::helm::entry_error(&k.file, entry, e))?;
        for mut r in made {
            r.origin = Some(transform::plugins::builtin_origin(
                ldr,
                k,
                "HelmChartInflationGenerator",
            ));
            absorb(&mut ra.resources, r)
                .map_err(|e| crate::helm::entry_error(&k.file, entry, e))?;
        }
    }
    let plugins = transform::plugins::run_generators(ldr, k, &mut ra.warnings)?;
    if let Some(o) = obs {
        o.begin(&mut ra.resources);
    }
    for r in plugins {
        absorb(&mut ra.resources, r)?;
    }
    if let Some(o) = obs {
        o.end_plugin_generators(&mut ra.resources);
    }
    Ok(())
}

/// Adds a generated resource, merging into or replacing an existing one per
/// its behavior (kustomize's `appendReplaceOrMerge`).
pub fn absorb(m: &mut ResMap, mut r: Resource) -> Result<()> {
    let id = r.id();
    let matches = m.find_by_any_id(&id);
    match matches.len() {
        0 => match r.behavior {
            Behavior::Merge | Behavior::Replace => Err(Error::msg(format!(
                "id {} does not exist; cannot merge or replace",
                id
            ))),
            Behavior::Create => {
                m.push(r);
                Ok(())
            }
        },
        1 => {
            let pos = matches[0];
            let old = m.get(pos).clone();
            match r.behavior {
                Behavior::Create => Err(Error::msg(format!(
                    "id {} exists; behavior must be merge or replace",
                    id
                ))),
                Behavior::Replace | Behavior::Merge => {
                    let merge_data = r.behavior == Behavior::Merge;
                    copy_merge_metadata(&mut r, &old);
                    if merge_data {
                        for field in ["data", "binaryData"] {
                            merge_string_map_field(&mut r, &old, field);
                        }
                    }
                    r.behavior = old.behavior;
                    // Build annotations (the hash flag among them) come from
                    // the existing object; the new one can only drop it.
                    r.needs_hash = r.needs_hash && old.needs_hash;
                    r.generated = old.generated;
                    if merge_data && old.origin.is_some() {
                        r.origin = old.origin.clone();
                    }
                    r.transformations = old.transformations.clone();
                    r.trail = old.trail;
                    if !merge_data && let Some(t) = &mut r.trail {
                        t.forget(&["data", "binaryData"]);
                    }
                    m.update(pos, |slot| *slot = r);
                    Ok(())
                }
            }
        }
        _ => Err(Error::msg(format!(
            "found multiple objects that could accept merge of {}",
            id
        ))),
    }
}

fn merged_pairs(old: Option<&Value>, new: Option<&Value>) -> Option<Value> {
    let mut out = crate::yaml::Map::new();
    let mut any = false;
    for v in [old, new].into_iter().flatten() {
        if let Value::Map(m) = v {
            any = true;
            for (k, v) in m.iter() {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    any.then_some(Value::Map(out))
}

fn copy_merge_metadata(r: &mut Resource, old: &Resource) {
    for field in ["labels", "annotations"] {
        let merged = merged_pairs(
            old.value.get_path(&["metadata", field]),
            r.value.get_path(&["metadata", field]),
        );
        if let Some(v) = merged {
            r.metadata_mut().insert(field, v);
        }
    }
    r.set_name(old.name());
    if old.namespace().is_empty() {
        r.metadata_mut().remove("namespace");
    } else {
        r.set_namespace(old.namespace());
    }
    r.prev_ids = old.prev_ids.clone();
    r.prefixes = old.prefixes.clone();
    r.suffixes = old.suffixes.clone();
    r.ref_var_names = old.ref_var_names.clone();
}

fn merge_string_map_field(r: &mut Resource, old: &Resource, field: &str) {
    if let Some(v) = merged_pairs(old.value.get(field), r.value.get(field))
        && let Value::Map(m) = &v
        && !m.is_empty()
    {
        r.map_mut().insert(field, v);
    }
}

/// Runs `f` over `res` as one step: with an observer, the resources it
/// changes are recorded and `end` brings their trails up to date.
fn step<T>(
    obs: Option<&Observer>,
    res: &mut ResMap,
    f: impl FnOnce(&mut ResMap) -> Result<T>,
    end: impl FnOnce(&Observer, &mut ResMap, &T),
) -> Result<T> {
    let Some(o) = obs else {
        return f(res);
    };
    o.begin(res);
    let out = f(res)?;
    end(o, res, &out);
    Ok(out)
}

/// A kustomization's own transformers (patches through `transformers:`),
/// in kustomize's order.
pub(crate) fn run_transformers(
    ldr: &Loader,
    k: &Kustomization,
    ra: &mut Accumulator,
    obs: Option<&Observer>,
) -> Result<()> {
    use crate::explain::StepKind;
    use yaml::PathStep::Key;
    // Transformations are only recorded when `buildMetadata` asks for them.
    let note = |ldr: &Loader, k: &Kustomization, kind: &str, m: &mut ResMap| {
        if TRACK_ORIGINS.with(|t| t.get()) {
            transform::plugins::note_builtin_transformer(ldr, k, kind, m);
        }
    };
    let res = &mut ra.resources;
    let tc = &ra.config;
    if !k.patches_strategic_merge.is_empty() {
        match obs {
            None => patch::apply_patches_strategic_merge(ldr, &k.patches_strategic_merge, res)?,
            Some(o) => {
                for (i, e) in k.patches_strategic_merge.iter().enumerate() {
                    let steps = o.patch(ldr, "patchesStrategicMerge", i, None, Some(e));
                    patch::apply_patches_strategic_merge_observed(
                        ldr,
                        std::slice::from_ref(e),
                        res,
                        Some(&steps),
                    )?;
                }
            }
        }
        note(ldr, k, "PatchStrategicMergeTransformer", res);
    }
    for (i, p) in k.patches.iter().enumerate() {
        match obs {
            None => patch::apply_patches(ldr, std::slice::from_ref(p), res)?,
            Some(o) => {
                let steps = o.patch(ldr, "patches", i, Some(p), None);
                patch::apply_patches_observed(ldr, std::slice::from_ref(p), res, Some(&steps))?;
            }
        }
        note(ldr, k, "PatchTransformer", res);
    }
    if !k.namespace.is_empty() {
        let opts = transform::namespace::NamespaceOptions::new(&k.namespace);
        step(
            obs,
            res,
            |res| transform::namespace::set_namespace(res, &opts, &tc.namespace),
            |o, res, _| o.end_at(res, StepKind::Namespace, &[Key("namespace")]),
        )?;
        note(ldr, k, "NamespaceTransformer", res);
    }
    if !k.name_prefix.is_empty() {
        step(
            obs,
            res,
            |res| transform::prefix_suffix::add_name_prefix(res, &k.name_prefix, &tc.name_prefix),
            |o, res, _| o.end_at(res, StepKind::NamePrefix, &[Key("namePrefix")]),
        )?;
        note(ldr, k, "PrefixTransformer", res);
    }
    if !k.name_suffix.is_empty() {
        step(
            obs,
            res,
            |res| transform::prefix_suffix::add_name_suffix(res, &k.name_suffix, &tc.name_suffix),
            |o, res, _| o.end_at(res, StepKind::NameSuffix, &[Key("nameSuffix")]),
        )?;
        note(ldr, k, "SuffixTransformer", res);
    }
    // Every `labels` entry, then `commonLabels`: one step for explaining
    // (a label sits at the last pair that set it).
    step(
        obs,
        res,
        |res| {
            let mut label_specs = Vec::new();
            for entry in &k.labels {
                let specs = transform::labels::label_entry_specs(&entry.options, tc)?;
                transform::labels::add_labels(res.resources_mut(), &entry.pairs, &specs)?;
                note(ldr, k, "LabelTransformer", res);
                if obs.is_some() {
                    label_specs.push(specs);
                }
            }
            if !k.common_labels.is_empty() || !k.labels.is_empty() {
                transform::labels::add_labels(
                    res.resources_mut(),
                    &k.common_labels,
                    &tc.common_labels,
                )?;
                note(ldr, k, "LabelTransformer", res);
            }
            Ok(label_specs)
        },
        |o, res, label_specs| {
            let specs: Vec<&crate::fieldspec::FieldSpec> = label_specs
                .iter()
                .flatten()
                .chain(&tc.common_labels)
                .collect();
            o.end_labels(res, k.labels.len(), &specs)
        },
    )?;
    if !k.common_annotations.is_empty() {
        step(
            obs,
            res,
            |res| {
                transform::annotations::add_annotations(
                    res.resources_mut(),
                    &k.common_annotations,
                    &tc.common_annotations,
                )
            },
            |o, res, _| o.end_annotations(res, &tc.common_annotations),
        )?;
        note(ldr, k, "AnnotationsTransformer", res);
    }
    for (i, p) in k.patches_json6902.iter().enumerate() {
        match obs {
            None => patch::apply_patches_json6902(ldr, std::slice::from_ref(p), res)?,
            Some(o) => {
                let steps = o.patch(ldr, "patchesJson6902", i, Some(p), None);
                patch::apply_patches_json6902_observed(
                    ldr,
                    std::slice::from_ref(p),
                    res,
                    Some(&steps),
                )?;
            }
        }
        note(ldr, k, "PatchJson6902Transformer", res);
    }
    // Every `replicas` entry: one step for explaining (a count sits at the
    // last entry naming its resource).
    step(
        obs,
        res,
        |res| {
            transform::replicas::set_replicas_all(res.resources_mut(), &k.replicas, &tc.replicas)?;
            // The origin noted names no entry: once per entry, as kustomize.
            for _ in &k.replicas {
                note(ldr, k, "ReplicaCountTransformer", res);
            }
            Ok(())
        },
        |o, res, _| o.end_replicas(res, &k.replicas),
    )?;
    // Every `images` entry: one step for explaining (an image sits at the
    // last entry that changed it).
    step(
        obs,
        res,
        |res| {
            if TRACK_ORIGINS.with(|t| t.get()) {
                for i in &k.images {
                    transform::images::set_images(res.resources_mut(), i, &tc.images)?;
                    note(ldr, k, "ImageTagTransformer", res);
                }
                Ok(())
            } else {
                transform::images::set_images_all(res.resources_mut(), &k.images, &tc.images)
            }
        },
        |o, res, _| o.end_images(res, &k.images),
    )?;
    if !k.replacements.is_empty() {
        for (file, n, rep) in load_replacements_with_origin(ldr, &k.replacements)? {
            step(
                obs,
                res,
                |res| {
                    transform::replacements::apply_replacements(res, std::slice::from_ref(&rep))
                        .map_err(|e| match &file {
                            Some((f, _)) => e.with_file(f).via(&k.file),
                            None => e,
                        })
                },
                |o, res, _| {
                    let source = transform::replacements::source_field(&rep, res)
                        .map(|(p, v)| (p, v as *const Value));
                    let in_file = file.as_ref().map(|(f, pos)| crate::explain::Place {
                        file: f.display().to_string().into(),
                        pos: *pos,
                    });
                    o.end_replacement(res, n, in_file, source);
                },
            )?;
        }
        note(ldr, k, "ReplacementTransformer", res);
    }
    match obs {
        None => transform::plugins::run_transformers(ldr, k, ra)?,
        Some(o) => {
            o.begin(&mut ra.resources);
            transform::plugins::run_transformers(ldr, k, ra)?;
            o.end_at(
                &mut ra.resources,
                StepKind::Transformer,
                &[Key("transformers")],
            );
        }
    }
    Ok(())
}

pub(crate) fn load_replacements(
    ldr: &Loader,
    entries: &[Value],
) -> Result<Vec<transform::replacements::Replacement>> {
    Ok(load_replacements_with_origin(ldr, entries)?
        .into_iter()
        .map(|(_, _, r)| r)
        .collect())
}

/// A replacement read from a file: the file and, while explaining, the
/// replacement's position in it.
type ReplacementFile = (std::path::PathBuf, yaml::Pos);

/// The `replacements` entries, each with the file it came from (`None` for
/// inline entries) and the index of its entry.
fn load_replacements_with_origin(
    ldr: &Loader,
    entries: &[Value],
) -> Result<
    Vec<(
        Option<ReplacementFile>,
        usize,
        transform::replacements::Replacement,
    )>,
> {
    use transform::replacements::{ReplacementEntry, parse_entry, parse_replacement_file};
    let mut out = Vec::new();
    for (n, e) in entries.iter().enumerate() {
        match parse_entry(e)? {
            ReplacementEntry::Inline(r) => out.push((None, n, *r)),
            ReplacementEntry::Path(p) => {
                let text = ldr.load_text(&p)?;
                let shown = ldr.display_path(&p);
                for (doc, pos) in replacement_docs(&shown, &text)? {
                    // kustomize decodes the file leniently (as a plugin
                    // config: `sigs.k8s.io/yaml` into `[]Replacement`).
                    use transform::plugin_config::{Decoder, GoType, REPLACEMENT, normalize};
                    let ty = match doc {
                        Value::Seq(_) => GoType::List(&REPLACEMENT),
                        _ => REPLACEMENT,
                    };
                    let doc = match doc {
                        Value::Seq(_) | Value::Map(_) => normalize(&doc, ty, Decoder::SigsYaml)
                            .map_err(|m| Error::in_file(&shown, m))?,
                        other => other,
                    };
                    let rs = parse_replacement_file(&doc).map_err(|e| e.with_file(&shown))?;
                    for (i, r) in rs.into_iter().enumerate() {
                        // A file holds one replacement or a list of them.
                        let at = match &doc {
                            Value::Seq(_) => pos.kids.get(i).map_or(pos.pos, |t| t.pos),
                            _ => pos.pos,
                        };
                        out.push((Some((shown.clone(), at)), n, r));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The documents of a replacements file, with positions while explaining.
fn replacement_docs(shown: &Path, text: &str) -> Result<Vec<(Value, yaml::PosTree)>> {
    if explaining() {
        return yaml::parse_documents_with_positions(text, false)
            .map_err(|e| Error::in_file(shown, e.message.clone()).with_line(e.line));
    }
    Ok(parse_yaml(shown, text)?
        .into_iter()
        .map(|d| (d, yaml::PosTree::default()))
        .collect())
}

/// The steps kustomize runs once, at the top kustomization only.
fn finish(
    k: &Kustomization,
    ra: &mut Accumulator,
    managed_by_label: bool,
    obs: Option<&Observer>,
    hashes: Option<&HashMemo>,
) -> Result<()> {
    step(
        obs,
        &mut ra.resources,
        |res| add_hash_suffixes(res, hashes),
        |o, res, _| o.end_hash(res),
    )?;
    step(
        obs,
        &mut ra.resources,
        |res| transform::name_reference::apply(res, &ra.config),
        |o, res, _| o.end_name_references(res),
    )?;
    let var_sources = match obs {
        Some(_) if !ra.vars.is_empty() => {
            crate::explain::observe::var_sources(&ra.resources, &ra.vars)
        }
        _ => Vec::new(),
    };
    if let Some(o) = obs {
        o.begin(&mut ra.resources);
    }
    if !ra.vars.is_empty() {
        let specs: Vec<transform::vars::VarFieldSpec> = ra
            .config
            .var_reference
            .iter()
            .map(|f| transform::vars::VarFieldSpec {
                group: f.group.clone(),
                version: f.version.clone(),
                kind: f.kind.clone(),
                path: f.path.clone(),
            })
            .collect();
        let unused = transform::vars::resolve_vars(&ra.vars, &mut ra.resources, &specs)?;
        if !unused.is_empty() {
            ra.warnings.push(format!(
                "well-defined vars that were never replaced: {}",
                unused.join(",")
            ));
        }
    }
    if let Some(o) = obs {
        o.end_vars(&mut ra.resources, &ra.notes, &var_sources);
    }
    drop_local_configs(&mut ra.resources);
    step(
        obs,
        &mut ra.resources,
        |res| transform::plugins::apply_build_metadata(k, res, managed_by_label),
        |o, res, _| {
            o.end_at(
                res,
                crate::explain::StepKind::BuildMetadata,
                &[yaml::PathStep::Key("buildMetadata")],
            )
        },
    )?;
    if let Some(o) = obs {
        o.end_build(&mut ra.resources);
    }
    Ok(())
}

/// The hash suffixes of the last build's generated resources, by id, with
/// the content each was computed from: a rebuild (watch mode) computes only
/// those of resources that changed.
#[derive(Debug, Default)]
pub struct HashMemo {
    last: std::sync::Mutex<HashMap<crate::resource::ResId, (Value, String)>>,
}

/// Renames every generated resource that needs one with its hash suffix
/// (reusing `memo`'s suffixes of unchanged contents).
pub(crate) fn add_hash_suffixes(m: &mut ResMap, memo: Option<&HashMemo>) -> Result<()> {
    let positions: Vec<usize> = (0..m.len()).filter(|&p| m.get(p).needs_hash).collect();
    let last =
        memo.map(|memo| std::mem::take(&mut *memo.last.lock().unwrap_or_else(|e| e.into_inner())));
    let next = std::sync::Mutex::new(HashMap::default());
    let done: Result<()> = m
        .update_each(&positions, |_, r| {
            let h = match &last {
                Some(last) => {
                    let id = r.id();
                    let h = match last.get(&id) {
                        Some((v, h)) if *v == r.value => h.clone(),
                        _ => crate::hash::hash_suffix(&r.value)?,
                    };
                    let mut next = next.lock().unwrap_or_else(|e| e.into_inner());
                    next.insert(id, (r.value.clone(), h.clone()));
                    h
                }
                None => crate::hash::hash_suffix(&r.value)?,
            };
            r.store_previous_id();
            let name = format!("{}-{}", r.name(), h);
            r.set_name(&name);
            Ok(())
        })
        .into_iter()
        .collect();
    if let Some(memo) = memo {
        *memo.last.lock().unwrap_or_else(|e| e.into_inner()) =
            next.into_inner().unwrap_or_else(|e| e.into_inner());
    }
    done
}

fn drop_local_configs(m: &mut ResMap) {
    let local: Vec<usize> = (0..m.len())
        .filter(|&p| is_local_config(m.get(p)))
        .collect();
    m.remove_positions(&local);
}

/// True for a resource annotated as a local configuration (not output).
pub(crate) fn is_local_config(r: &Resource) -> bool {
    matches!(
        r.value.get_path(&["metadata", "annotations", "config.kubernetes.io/local-config"]),
        Some(v) if v.scalar_string().as_deref() != Some("false")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcuts in `merge_defaults` and `merge_config` stand for real
    /// merges: check that those merges give exactly the shared value.
    #[test]
    fn shared_default_config_is_a_merge_fixed_point() {
        let merged = merged_defaults();
        let mut fresh = TransformerConfig::default();
        fresh.merge(crate::fieldspec::default_config()).unwrap();
        assert_eq!(&fresh, merged.as_ref());
        let mut again = (**merged).clone();
        again.merge(crate::fieldspec::default_config()).unwrap();
        assert_eq!(&again, merged.as_ref());
        let mut into_empty = TransformerConfig::default();
        into_empty.merge(merged).unwrap();
        assert_eq!(&into_empty, merged.as_ref());
        assert_ne!(merged.as_ref(), &TransformerConfig::default());
    }

    #[test]
    fn merging_defaults_shares_one_configuration() {
        let mut a = Arc::new(TransformerConfig::default());
        merge_defaults(&mut a).unwrap();
        assert!(Arc::ptr_eq(&a, merged_defaults()));
        let mut b = Arc::new(TransformerConfig::default());
        merge_config(&mut b, &a).unwrap();
        assert!(Arc::ptr_eq(&b, &a));
    }

    /// Rendering in pieces on several threads gives the stream of the
    /// documents one after the other: many documents (several pieces per
    /// thread), some larger than a piece.
    #[test]
    fn rendered_pieces_make_the_stream_of_the_documents() {
        let mut text = String::new();
        for i in 0..700 {
            let size = if i % 97 == 0 {
                PIECE_BYTES + 100
            } else {
                i * 7
            };
            text.push_str(&format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  k: \"{}\"\n---\n",
                "x".repeat(size)
            ));
        }
        let resources = resources_from_text(Path::new("cms.yaml"), &text).unwrap();
        let rendered = render_pieces(&resources).unwrap();
        assert!(rendered.parts.len() > 4);
        let one_by_one: Vec<String> = resources.iter().map(|r| render_one(r).unwrap()).collect();
        let expected = one_by_one.join("---\n");
        assert_eq!(
            String::from_utf8(rendered.pieces().concat()).unwrap(),
            expected
        );
        assert_eq!(render(&resources).unwrap(), expected);
    }
}
