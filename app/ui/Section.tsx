import type { ReactNode } from 'react';

/** A titled block of the side panel. */
export function Section({
  title,
  extra,
  children,
  testId,
}: {
  title: string;
  extra?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section className="panel-section" data-testid={testId}>
      <h2 className="section-title">
        <span>{title}</span>
        {extra}
      </h2>
      {children}
    </section>
  );
}
