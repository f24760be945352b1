// Must NOT compile: the services layer links only the layers below it (storage, jobs, ai, net,
// core), so the api layer's headers are not on its include path. CTest's
// layering.services_cannot_include_api builds this and passes only on "No such file".
#include "api/app.hpp"

namespace stepwise::services {
int LayeringViolation() { return 0; }
}  // namespace stepwise::services
