import "./admin.css";

/**
 * An on/off switch (Polaris 13 has none): a button with role="switch", so screen readers
 * announce it as "<label>, switch, on/off" and Space/Enter toggle it.
 */
export function Switch({
  checked,
  onChange,
  label,
  disabled,
  id,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** accessible name, e.g. the trigger's name */
  label: string;
  disabled?: boolean;
  id?: string;
}) {
  return (
    <button
      type="button"
      role="switch"
      id={id}
      className="if-switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      onClick={(event) => {
        event.stopPropagation();
        onChange(!checked);
      }}
    />
  );
}
