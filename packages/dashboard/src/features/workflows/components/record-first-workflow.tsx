/** The empty list: how the first workflow gets here (the extension records it). */
export function RecordFirstWorkflow({ isAdmin }: { isAdmin: boolean }) {
  return (
    <section aria-labelledby="empty-heading" className="rounded-lg border border-dashed border-slate-300 bg-white px-10 py-12">
      <h2 id="empty-heading" className="text-lg font-semibold text-slate-900">
        {isAdmin ? 'Record your first workflow' : 'No workflows published yet'}
      </h2>
      {isAdmin ? (
        <>
          <p className="mt-1 max-w-2xl text-sm text-slate-600">
            A workflow is a task done once in your web app and recorded by the Stepwise extension. The AI labels each step; you review it here
            and publish it, and your colleagues are guided through it step by step.
          </p>
          <ol className="mt-6 grid max-w-4xl grid-cols-3 gap-6 text-sm">
            {[
              ['Install the extension', 'Add the Stepwise extension to Chrome and sign in with this account.'],
              ['Record the task', 'Open the web app, click “Record” in the extension and do the task once as usual. Click “Stop” when done.'],
              ['Review and publish', 'The recording appears here as “Needs review”. Check the labels, then approve it.'],
            ].map(([title, text], i) => (
              <li key={title} className="rounded-md bg-slate-50 p-4">
                <span className="flex h-7 w-7 items-center justify-center rounded-full bg-indigo-600 text-sm font-semibold text-white" aria-hidden="true">
                  {i + 1}
                </span>
                <p className="mt-3 font-medium text-slate-900">{title}</p>
                <p className="mt-1 text-slate-600">{text}</p>
              </li>
            ))}
          </ol>
          <p className="mt-6 text-sm text-slate-600">Already have a Chrome DevTools Recorder recording? Use “Import recording” above.</p>
        </>
      ) : (
        <p className="mt-1 max-w-2xl text-sm text-slate-600">When an admin publishes a workflow, it appears here and the extension can guide you through it.</p>
      )}
    </section>
  );
}
