import { useState } from 'preact/hooks';
import { call, client, logIn, sessionNotice } from '../api.ts';
import { Field, FormProblem, useForm } from '../components/form.tsx';

export function SignIn() {
  const form = useForm();
  return (
    <article class="narrow">
      <h1 tabIndex={-1}>Sign in</h1>
      {sessionNotice() ? <p class="notice">{sessionNotice()}</p> : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          form.submit(async () => {
            await logIn(String(data.get('email')), String(data.get('password')));
            // A page asked for while signed out (a project's link, a session that ended) is shown now.
            if (location.hash === '#/signin') location.hash = '#/';
          });
        }}
      >
        <FormProblem message={form.message} fields={form.fields} shown={['email', 'password']} />
        <Field label="Email" field="email" type="email" autocomplete="email" required errors={form.fields} />
        <Field
          label="Password"
          field="password"
          type="password"
          autocomplete="current-password"
          required
          errors={form.fields}
        />
        <button type="submit" aria-busy={form.busy} disabled={form.busy}>
          Sign in
        </button>
      </form>
      <p>
        New here? <a href="#/signup">Create an account</a>
      </p>
    </article>
  );
}

export function SignUp() {
  const form = useForm();
  const [pending, setPending] = useState<SignUpBody | null>(null);
  if (pending) return <Confirm {...pending} />;
  return (
    <article class="narrow">
      <h1 tabIndex={-1}>Create an account</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const body = {
            email: String(data.get('email')),
            username: String(data.get('username')),
            password: String(data.get('password')),
          };
          form.submit(async () => {
            const result = await call(() => client.POST('/v1/auth/signup', { body }));
            if (!result.confirmed) {
              setPending(body);
              return;
            }
            await logIn(body.email, body.password);
            location.hash = '#/';
          });
        }}
      >
        <FormProblem message={form.message} fields={form.fields} shown={['email', 'username', 'password']} />
        <Field label="Email" field="email" type="email" autocomplete="email" required errors={form.fields} />
        <Field
          label="Username"
          field="username"
          autocomplete="username"
          required
          minLength={3}
          maxLength={30}
          hint="3–30 letters, digits or underscores"
          errors={form.fields}
        />
        <Field
          label="Password"
          field="password"
          type="password"
          autocomplete="new-password"
          required
          hint="At least 8 characters with a lower-case letter, an upper-case letter and a digit"
          errors={form.fields}
        />
        <button type="submit" aria-busy={form.busy} disabled={form.busy}>
          Create account
        </button>
      </form>
      <p>
        Have an account? <a href="#/signin">Sign in</a>
      </p>
    </article>
  );
}

type SignUpBody = { email: string; username: string; password: string };

/** The code sent by email; a sign-up sent again with the same details sends a new one. */
function Confirm(body: SignUpBody) {
  const { email, password } = body;
  const form = useForm();
  const resend = useForm();
  const [resent, setResent] = useState(false);
  return (
    <article class="narrow">
      <h1 tabIndex={-1}>Confirm your email</h1>
      <p>We sent a code to {email}.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const code = String(new FormData(e.currentTarget).get('code'));
          form.submit(async () => {
            await call(() => client.POST('/v1/auth/confirm', { body: { email, code } }));
            await logIn(email, password);
            location.hash = '#/';
          });
        }}
      >
        <FormProblem message={form.message} fields={form.fields} shown={['code']} />
        <Field label="Code" field="code" autocomplete="one-time-code" required errors={form.fields} />
        <button type="submit" aria-busy={form.busy} disabled={form.busy}>
          Confirm
        </button>
      </form>
      <FormProblem message={resend.message} fields={resend.fields} shown={[]} />
      <p role="status">{resent ? `A new code is on its way to ${email}.` : null}</p>
      <button
        type="button"
        class="secondary outline"
        aria-busy={resend.busy}
        disabled={resend.busy}
        onClick={() => {
          setResent(false);
          resend.submit(async () => {
            await call(() => client.POST('/v1/auth/signup', { body }));
            setResent(true);
          });
        }}
      >
        Send a new code
      </button>
    </article>
  );
}
