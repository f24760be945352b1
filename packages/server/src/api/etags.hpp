#pragma once
// Workflow entity tags: the ETag a read answers with, and the versions an If-Match header accepts.
#include <string>
#include <string_view>

#include "services/workflows.hpp"
#include "storage/db/records.hpp"

namespace stepwise::api {

// The ETag of a workflow as read (id, version, a 10-minute period, thumbnails made so far,
// changes of its selector variants and votes). The detail carries signed URLs that expire after
// 15 minutes, so the tag names a period: a cached copy is never revalidated past its links'
// lifetime.
std::string WorkflowETag(const storage::WorkflowRecord& w);

// The versions of workflow `id` an If-Match header value accepts: nullopt when any is (no header,
// or `*`); an empty list when none is (another workflow's tag, or not a tag of ours). Only the
// version counts, weak or strong (RFC 9110 compares If-Match strongly; ours are strong).
services::ExpectedVersions ExpectedVersionsFrom(std::string_view if_match, int64_t id);

// Runs a write; a services::StaleWorkflow becomes the 412 with the workflow's `current_etag`.
template <class F>
auto WithCurrentETag(F&& write) {
  try {
    return write();
  } catch (const services::StaleWorkflow& stale) {
    throw core::Error(stale.Kind(), stale.Code(), stale.what(),
                      {{"current_etag", WorkflowETag(stale.Current())}});
  }
}

}  // namespace stepwise::api
