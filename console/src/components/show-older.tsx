import { useForm } from './form.tsx';

/**
 * A list's "Show older …" button: reads the next page (busy meanwhile) and says why when that fails. Absent
 * once `onOlder` is, when the oldest item is shown.
 */
export function ShowOlder({ what, onOlder }: { what: string; onOlder?: (() => Promise<void>) | undefined }) {
  const older = useForm();
  return (
    <>
      {onOlder ? (
        <button
          type="button"
          class="secondary outline"
          aria-busy={older.busy}
          disabled={older.busy}
          onClick={() => older.submit(onOlder)}
        >
          Show older {what}
        </button>
      ) : null}
      {older.message ? <p role="alert">{older.message}</p> : null}
    </>
  );
}
