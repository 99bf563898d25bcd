//! `aiw explain`: where every value of a build's output came from.
//!
//! # Design
//!
//! **Plain builds pay nothing.** The document model ([`Value`](crate::yaml::Value)) is not
//! touched: positions live beside it, and only while a build explains
//! itself. A plain build differs from before by a `None` check per step and
//! per [`ResMap`](crate::resource::ResMap) update, and the YAML readers are generic over their
//! position recorder, whose plain version compiles to nothing (checked with
//! callgrind instruction counts, see README "`aiw explain`").
//!
//! **Positions come from the reader.** Both YAML readers (the fast path and
//! the full reader) report the line and column of every scalar and
//! collection: [`crate::yaml::parse_documents_with_positions`] gives each
//! document a [`PosTree`](crate::yaml::PosTree) shaped like its value
//! (`yaml::pos` says where each kind of node starts). An explaining build
//! reads resource files, patch files and kustomization files that way;
//! nothing else is read twice.
//!
//! **A trail per resource, kept up to date after every step.** Each
//! resource carries a [`Trail`] (`Resource::trail`, `None` in plain builds):
//! a tree shaped like its value whose leaves (scalars and empty
//! collections) hold their history, a list of [`Event`]s (what kind of step,
//! where in which file, the value after it). It is created when the
//! resource is read (every leaf an event of kind `resource` at its position
//! in the file) or generated. After each step, `Trail::sync` walks the
//! resource's new value against its trail: mapping entries are matched by
//! key; list items by identity (a scalar item by its value, a mapping item
//! by its `name`, `mountPath`, … the keys `aiw diff` uses; what is left by
//! position), so a value keeps its history through strategic merges that
//! insert items first, JSON 6902 removals that shift a list, reorders and
//! moves of a resource between kustomizations (the trail travels with the
//! resource). Every leaf whose value differs from its last event gets an
//! event of the step. This is one mechanism for every transformer: no
//! transformer records anything by hand, so a new transformer is explained
//! as soon as it runs as a step.
//!
//! **The observer.** `build.rs` creates an `Observer`
//! per kustomization when explaining (`Option`, checked once per step). Before a
//! step it asks the [`ResMap`](crate::resource::ResMap) to record which positions change (`update`,
//! `update_each`, `push` record theirs; `resources_mut` records "all", as
//! the transformers that take every resource do); after it, only those
//! resources are synced (split over spare cores), so a patch targeting one
//! resource costs one resource, and nothing scans every resource per patch,
//! replacement or reference. Patches are observed from inside the patch
//! functions, per strategic merge document and per JSON 6902 operation
//! ([`crate::patch`] takes an optional observer): the exact document or
//! operation that wrote a value is known.
//!
//! **Walking less.** A sync walks the whole resource unless the step's
//! reach is known: a strategic merge patch without `$` directives changes
//! nothing under mapping keys its document lacks, a JSON 6902 `add`,
//! `replace`, `remove` or `test` nothing off its path, and labels and
//! annotations nothing off their field specs (`trail::Scope`); those
//! entries are skipped (their nodes kept as they are). List items that
//! moved are always walked whole. Steps that run once per entry over every
//! resource (`labels` entries and `commonLabels`, `images`, `replicas`)
//! are synced once for all their entries, each value placed at the entry
//! that last set it.
//!
//! **Where a step puts a value** (`trail::Locate`):
//! * a resource file, a strategic merge patch: the position of the value in
//!   that document, found by walking the document alongside the resource
//!   (same keys; list items by identity). A patch that sets a value to what
//!   it already was is recorded too, except for the identity fields
//!   (`apiVersion`, `kind`, `metadata.name`, `metadata.namespace`) every
//!   patch repeats;
//! * a JSON 6902 operation: the position of its `value` (of the part of it
//!   the field is in), or of the operation for `remove`, `move`, `copy`;
//! * an inline patch (`patch: |`): positions inside the text are mapped to
//!   the kustomization file's lines (exact for block scalars and one-line
//!   strings; other styles fold lines, and give the entry's position);
//! * `images`, `replicas`, `namespace`, `namePrefix`, `nameSuffix`,
//!   `buildMetadata`, a `transformers` or `generators` run: the entry (or
//!   field) in the kustomization file;
//! * `labels`, `commonLabels`, `commonAnnotations`: the pair whose key the
//!   field has (also in selectors and templates), else the entry;
//! * `configMapGenerator`, `secretGenerator`: a data key at the literal or
//!   file item that made it, or at its line of the env file; every other
//!   field at the entry. A `behavior: merge` entry of an overlay changes
//!   only what it changes (a `behavior: replace` one replaces the data and
//!   its history), and the resource remembers the entry that last made or
//!   merged it;
//! * hash suffixes: that generator entry; name references: where the
//!   resource they name got its current name (so a generated ConfigMap's
//!   reference points at the generator entry of the overlay that last
//!   changed it; a prefixed one at the `namePrefix`);
//! * replacements: the replacement (inline: its entry; from a file: its
//!   place in the file), with the place the copied value was set as the
//!   event's `from`;
//! * vars: the `vars` entry declaring the first var the old text names,
//!   with the place the var's field was set as `from`.
//!
//! Components run as kustomizations of their own: their steps are placed
//! in their files. Plugin `transformers` and `generators` are placed at
//! their field's entry.
//!
//! **Limits.** A step that writes a value equal to the one there is seen
//! only for patches (which name what they set); the other transformers
//! record changes. A list item renamed in place by a JSON 6902 `replace` of
//! its `name` starts a new history.
//!
//! **Output.** [`query`] selects resources (`KIND/NAME`, …) and fields
//! (paths in `aiw diff`'s notation, computed on the final value); [`render`]
//! writes the built YAML with a dim comment after each value, a field's
//! history, or the JSON format (schema version [`render::JSON_VERSION`]).

pub mod cli;
pub mod observe;
pub mod query;
pub mod render;
pub mod trail;

use std::path::Path;

pub use observe::Notes;
pub use trail::{Event, Node, Origin, Place, StepKind, Trail};

use crate::build::BuildOptions;
use crate::error::Result;
use crate::resource::Resource;

/// Builds `dir` as `aiw build` does, recording where every value comes
/// from: the resources in output order, each with its trail.
pub fn explain(dir: &Path, opts: &BuildOptions) -> Result<Vec<Resource>> {
    let _on = crate::build::Explaining::start();
    crate::build::build(dir, opts)
}
