import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Category, Department, District, StaffUser } from './api.js';

/** What every screen needs: who is signed in and the reference data that names ids. */
export interface ConsoleContext {
  user: StaffUser;
  districts: District[];
  departments: Department[];
  categories: Category[];
  /** Map tiles for the complaint page; empty shows the coordinates only. */
  tileUrl: string;
  tileAttribution: string;
  /** Reads departments and categories again after an admin changed them, so every screen names them. */
  reloadReference: () => Promise<void>;
}

export const Console = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const value = useContext(Console);
  if (!value) throw new Error('The console context is missing.');
  return value;
}

export function nameOf<T extends { id: number; name: string }>(
  list: T[],
  id: number | null | undefined,
): string {
  if (id === null || id === undefined) return '—';
  return list.find((x) => x.id === id)?.name ?? `#${id}`;
}

export const isAdmin = (user: StaffUser) => user.role === 'admin';
export const isSupervisorOrAdmin = (user: StaffUser) => user.role === 'admin' || user.role === 'supervisor';
