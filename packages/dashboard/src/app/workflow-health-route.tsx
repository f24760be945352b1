// The workflow's health page with what the checks feature adds to it: features do not import each
// other, so the app composes them. Loaded when first opened, with the chart library.
import { WorkflowChecks } from '../features/checks/components/workflow-checks';
import { HealthPage } from '../features/health/components/health-page';

export function WorkflowHealthRoute() {
  return <HealthPage extra={(workflow) => <WorkflowChecks workflow={workflow} />} />;
}

export default WorkflowHealthRoute;
